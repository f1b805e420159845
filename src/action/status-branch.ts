// The jobs the agent runs now, read from the status branch's state.json on the checkout's
// `origin`, or on the repository the agent's --status-repo names, as the rest of gitcron reads
// a status branch (withBranchTip): in a throwaway repository in the temp folder, one blob-less
// fetch of the tip, then state.json's blob alone. The run journal is not downloaded, and the
// checkout is left as it was: no FETCH_HEAD, shallow file or promisor config is written to it.
// The credentials actions/checkout configured there, an `http.<url>.extraheader` in the
// checkout's config or in a file that config includes, are read by git in the checkout and
// given to the throwaway repository's git as config in its environment: never in argv, on disk
// or in a message. gitcron reads or stores no token itself; it passes the header on.

import { isRecord } from "../core/shape.js";
import { EnvironmentError, oneLine } from "../errors.js";
import { type ConfigPair, envWithConfig, parseScopedConfig } from "../git/environment.js";
import { type Env, type Git, GitError, gitRunner } from "../git/run.js";
import type { ActiveJob } from "../plan/plan.js";
import { withBranchTip } from "../status/read-branch.js";
import { credentialsOf, withoutCredentials } from "../text/url-credentials.js";

export type ActiveJobs =
  | { ok: true; active: Record<string, ActiveJob>; revision: string | null }
  | { ok: false; reason: string };

export interface ReadActiveOptions {
  /** The checkout: a Git working tree with an `origin` remote. */
  workspace: string;
  branch: string;
  /** The status branch's repository when it is not the checkout's origin (a URL). */
  repo?: string;
  /** Bounds each git call; a hung remote must not hold the pull request check. */
  timeoutMs?: number;
  /** The environment git runs in, as the Action's entry point read it. */
  env: Env;
}

/** Never throws: a status branch that cannot be read only means no plan in the summary. */
export async function readActiveJobs(options: ReadActiveOptions): Promise<ActiveJobs> {
  const { branch } = options;
  const timeout = options.timeoutMs ? { timeoutMs: options.timeoutMs } : {};
  // Named in messages: a URL may carry credentials, and git may quote it in its own words.
  const where = options.repo ? withoutCredentials(options.repo) : "origin";
  let secrets = credentialsOf(options.repo);
  try {
    const checkout = gitRunner({ env: options.env, ...timeout }, { cwd: options.workspace });
    const repoUrl = options.repo ?? (await originUrl(checkout));
    if (repoUrl === undefined) return { ok: false, reason: 'the checkout has no "origin" remote' };
    const headers = await checkoutHeaders(checkout);
    secrets = [...credentialsOf(repoUrl), ...headers.flatMap(([, value]) => headerSecrets(value))];
    const env = headers.length > 0 ? envWithConfig(options.env, headers) : options.env;
    return await withBranchTip(repoUrl, branch, { env, ...timeout }, async (tip) => {
      if (!tip) return { ok: false, reason: `${where} has no branch "${branch}" yet` };
      if (!tip.paths.includes("state.json"))
        return { ok: false, reason: `"${branch}" has no state.json` };
      const text = (await tip.read(["state.json"])).get("state.json");
      if (text === undefined)
        return {
          ok: false,
          reason: `could not fetch "${branch}" from ${where}: state.json did not arrive`,
        };
      return parseState(text, branch);
    });
  } catch (err) {
    // withBranchTip says what it could not read in its own words; git's are under them.
    const text = gitMessage(
      err instanceof EnvironmentError && err.cause ? err.cause : err,
      secrets,
    );
    if (/couldn't find remote ref|not our ref/i.test(text)) {
      return { ok: false, reason: `${where} has no branch "${branch}" yet` };
    }
    return { ok: false, reason: `could not fetch "${branch}" from ${where}: ${text}` };
  }
}

/** The checkout's origin as its fetch would use it (its url.<base>.insteadOf applied), or
 * undefined when it has none. */
async function originUrl(checkout: Git): Promise<string | undefined> {
  try {
    return (await checkout(["remote", "get-url", "origin"])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The checkout's own `http.extraheader` and `http.<url>.extraheader` entries, set in its
 * config or in a file that config includes (actions/checkout's credentials). Not the user's
 * global ones: every git reads those anyway, and a header given twice is sent twice. None when
 * there are none (git exits 1) or git cannot read the config. */
async function checkoutHeaders(checkout: Git): Promise<ConfigPair[]> {
  const out = await checkout([
    "config",
    "--null",
    "--show-scope",
    "--includes",
    "--get-regexp",
    "^http\\.(.+\\.)?extraheader$",
  ]).catch(() => "");
  return parseScopedConfig(out)
    .filter(({ scope }) => scope === "local" || scope === "worktree")
    .map(({ key, value }) => [key, value] as const);
}

/** What of a header must never be shown: all of it, and its last word (`basic <credentials>`). */
const headerSecrets = (value: string) => [value, value.slice(value.lastIndexOf(" ") + 1)];

interface StateJson {
  revision?: unknown;
  jobs?: unknown;
}

/** Reads only what a plan needs, so newer agents' extra fields do not matter. */
export function parseState(text: string, branch: string): ActiveJobs {
  let state: StateJson;
  try {
    state = JSON.parse(text) as StateJson;
  } catch {
    return { ok: false, reason: `state.json on "${branch}" is not valid JSON` };
  }
  if (!isRecord(state) || !isRecord(state.jobs)) {
    return { ok: false, reason: `state.json on "${branch}" has no jobs` };
  }
  const active: Record<string, ActiveJob> = {};
  for (const [name, job] of Object.entries(state.jobs)) {
    if (!isRecord(job) || typeof job.specHash !== "string") continue;
    const fields = isRecord(job.fields) ? (job.fields as Record<string, string>) : undefined;
    active[name] = {
      specHash: job.specHash,
      ...(typeof job.file === "string" && { file: job.file }),
      ...(fields && { fields }),
    };
  }
  return { ok: true, active, revision: typeof state.revision === "string" ? state.revision : null };
}

/** git's own words from stderr, credentials stripped (a remote URL may carry a token). */
function gitMessage(err: unknown, credentials: readonly string[]): string {
  const stderr = err instanceof GitError ? err.details.stderr.trim() : undefined;
  const fatal = stderr
    ?.split("\n")
    .find((l) => /^(fatal|error):/.test(l))
    ?.replace(/^(fatal|error):\s*/, "");
  return oneLine(fatal ?? err, credentials);
}
