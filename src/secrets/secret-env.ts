// Which agent variables hold secrets (SPEC §4): those matching the --secret-env patterns, where
// `{JOB}` is a job's own name (`nightly-report` → `NIGHTLY_REPORT`), so that `SECRET_{JOB}_*`
// gives each job only its own variables. Never the agent's own GITCRON_* settings.

import { matchesGlob } from "../text/glob.js";

/** Why job `job` may not read agent variable `name` through fromEnv, or undefined when it may.
 * The validator and the runtime both ask this, so a run cannot get what a file may not name. */
export function fromEnvRefusal(
  name: string,
  patterns: readonly string[],
  job: string,
): string | undefined {
  if (name.startsWith("GITCRON_"))
    return `"${name}": the agent's own GITCRON_* settings are never passed to jobs`;
  if (!matchesGlob(name, patterns, job)) {
    const shown = patterns.join(", ") || "none";
    return `"${name}": it does not match the agent's --secret-env (${shown}) for job ${job}`;
  }
  return undefined;
}
