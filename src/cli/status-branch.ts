// What `gitcron status` and `gitcron logs` share: which repository (--repo, GITCRON_REPO, else
// the origin of the checkout the command runs in), which status branch, and reading its tip.

import { EnvironmentError, UsageError } from "../errors.js";
import { type Env, gitRunner } from "../git/run.js";
import { classifyRepo } from "../source/job-files.js";
import { type BranchTip, withBranchTip } from "../status/read-branch.js";
import { type StatusState, stateAtTip } from "../status/state.js";
import type { CliIO } from "./command.js";

export const READ_FLAGS = {
  repo: { type: "string" },
  "status-branch": { type: "string" },
  "status-repo": { type: "string" },
} as const;

export const READ_HELP = `  --repo R                    the jobs repository (env GITCRON_REPO; default: the origin of
                              the Git checkout you are in; https credentials from
                              GITCRON_GIT_TOKEN)
  --status-branch B           (default gitcron-status; env GITCRON_STATUS_BRANCH)
  --status-repo R             the repository the agent pushes its status branch to, if not
                              the jobs repository (env GITCRON_STATUS_REPO)`;

type Values = {
  repo?: string | boolean;
  "status-branch"?: string | boolean;
  "status-repo"?: string | boolean;
};

const flag = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);

/** --status-repo or GITCRON_STATUS_REPO: where the agent pushes its status branch, if given. */
export const givenStatusRepo = (values: Values, io: Pick<CliIO, "env">): string | undefined =>
  flag(values["status-repo"]) ?? (io.env.GITCRON_STATUS_REPO || undefined);

/** What git in the checkout at `dir` prints, trimmed; undefined when it fails or prints nothing. */
const askCheckout = (dir: string, env: Env, args: string[]) =>
  gitRunner(
    { env },
    { cwd: dir },
  )(args).then(
    (out) => out.trim() || undefined,
    () => undefined,
  );

/** The top folder of the Git checkout `dir` is in, or undefined when it is in none. */
export const checkoutAt = (dir: string, env: Env) =>
  askCheckout(dir, env, ["rev-parse", "--show-toplevel"]);

/** The origin of the Git checkout at `dir`, or undefined when it is none or has none. */
export const originOf = (dir: string, env: Env) =>
  askCheckout(dir, env, ["remote", "get-url", "origin"]);

/** The repository to read: the status repository if given, else --repo, GITCRON_REPO, else
 * this checkout's origin. */
async function repoOf(values: Values, io: CliIO): Promise<string> {
  const given = givenStatusRepo(values, io) ?? flag(values.repo) ?? io.env.GITCRON_REPO;
  if (given) return given;
  const origin = await originOf(io.cwd, io.env);
  if (origin) return origin;
  throw new UsageError(
    "give --repo (or GITCRON_REPO): this folder is not a Git checkout with an origin",
  );
}

/** Reads the tip of the status branch: its state and whatever else `use` reads from it. */
export async function withStatusTip<T>(
  values: Values,
  io: CliIO,
  use: (input: { tip: BranchTip; state: StatusState | null; branch: string }) => Promise<T>,
): Promise<T> {
  const repo = await repoOf(values, io);
  const kind = classifyRepo(repo);
  if (kind.type === "folder")
    throw new UsageError(
      `${repo} is not a Git repository: an agent on a watched folder keeps its status branch in <data-dir>/status.git`,
    );
  const branch = flag(values["status-branch"]) ?? io.env.GITCRON_STATUS_BRANCH ?? "gitcron-status";
  const access = {
    env: io.env,
    ...(io.env.GITCRON_GIT_TOKEN && { gitToken: io.env.GITCRON_GIT_TOKEN }),
  };
  return withBranchTip(kind.url, branch, access, async (tip) => {
    if (!tip)
      throw new EnvironmentError(
        `the repository has no status branch "${branch}" yet: no agent has written to it`,
      );
    return use({ tip, state: await stateAtTip(tip, branch), branch });
  });
}

/** The folders under jobs/ at the tip. */
export const jobFolders = (tip: BranchTip): string[] => [
  ...new Set(
    tip.paths.flatMap((p) => {
      const match = /^jobs\/([^/]+)\//.exec(p);
      return match ? [match[1] as string] : [];
    }),
  ),
];
