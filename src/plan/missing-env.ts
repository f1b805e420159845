// A job whose `fromEnv` names a variable the agent was started without fails every run with
// "…which is not set". The agent checks it when the job is applied, so it is said at once.

import type { JobSpec } from "../jobs/spec.js";

/** The agent variables the job's `fromEnv` values name that are not set, sorted, each once. */
export function missingEnvOf(
  spec: Pick<JobSpec, "env">,
  agentEnv: Readonly<Record<string, string | undefined>>,
): string[] {
  const missing = new Set<string>();
  for (const value of Object.values(spec.env)) {
    if ("fromEnv" in value && agentEnv[value.fromEnv] === undefined) missing.add(value.fromEnv);
  }
  return [...missing].sort();
}
