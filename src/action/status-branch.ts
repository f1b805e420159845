// The jobs the agent runs now, read from the status branch's state.json on the checkout's
// `origin`, or on the repository the agent's --status-repo names. The fetch runs inside the
// checkout so it uses whatever credentials actions/checkout configured there; gitcron never
// handles the token itself.

import { isRecord } from "../core/shape.js";
import { oneLine } from "../errors.js";
import { type Env, GitError, gitRunner } from "../git/run.js";
import type { ActiveJob } from "../plan/plan.js";
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
  const run = gitRunner(
    { env: options.env, ...(options.timeoutMs && { timeoutMs: options.timeoutMs }) },
    { cwd: options.workspace },
  );
  const git = (...args: string[]) => run(args);
  const remote = options.repo ?? "origin";
  // Named in messages: a URL may carry credentials, and git may quote it in its own words.
  const where = options.repo ? withoutCredentials(options.repo) : "origin";
  const credentials = credentialsOf(options.repo);
  if (!options.repo) {
    try {
      await git("remote", "get-url", "origin");
    } catch {
      return { ok: false, reason: 'the checkout has no "origin" remote' };
    }
  }
  // Deepening a full clone would mark it shallow; keep the checkout as it was made.
  const shallow = (await git("rev-parse", "--is-shallow-repository").catch(() => "")).trim();
  const depth = shallow === "true" ? ["--depth=1"] : [];
  try {
    // `--` keeps a URL that starts with a dash from being read as an option.
    await git(
      "fetch",
      "--quiet",
      "--no-tags",
      ...depth,
      "--",
      remote,
      `refs/heads/${options.branch}`,
    );
  } catch (err) {
    const text = gitMessage(err, credentials);
    if (/couldn't find remote ref|not our ref/i.test(text)) {
      return { ok: false, reason: `${where} has no branch "${options.branch}" yet` };
    }
    return { ok: false, reason: `could not fetch "${options.branch}" from ${where}: ${text}` };
  }
  let text: string;
  try {
    text = await git("cat-file", "blob", "FETCH_HEAD:state.json");
  } catch {
    return { ok: false, reason: `"${options.branch}" has no state.json` };
  }
  return parseState(text, options.branch);
}

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
