// `gitcron plan --repo R [--ref REF]`: what the agent would change, against the active set
// recorded in state.json on the status branch — judged by the agent's own rules (planRevision)
// on the revision read from Git's objects, as the agent reads it.

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { EnvironmentError, sanitize, UsageError } from "../errors.js";
import { DEFAULT_GIT_TIMEOUT_MS, type Git, type GitAccess, gitRunner } from "../git/run.js";
import { renderText } from "../jobs/render.js";
import { renderPlan } from "../plan/plan.js";
import { planRevision } from "../plan/revision.js";
import { withOldAndNew } from "../plan/values.js";
import { revisionFiles } from "../source/git-objects.js";
import { classifyRepo, normalizeJobsPath } from "../source/job-files.js";
import { gitErrorText } from "../status/git.js";
import { readStatusState } from "../status/state.js";
import { withoutUserinfo } from "../text/url-credentials.js";
import { type Command, parseFlags } from "./command.js";
import { POLICY_FLAGS, POLICY_HELP, policyFromFlags } from "./policy-flags.js";
import { checkoutAt, givenStatusRepo, originOf } from "./status-branch.js";

const help = `Usage: gitcron plan [--repo R] [--ref REF] [flags]

Show what the agent would change if REF (default: the default branch) were applied:
each job as "+ add", "~ change" (with the fields that differ), "- remove" or "= same",
against the active set recorded in state.json on the status branch.

Run in a Git checkout with no --repo, it plans the checkout's HEAD (committed, pushed or
not) against the status branch of the checkout's origin: what a push would change.

Flags:
  --repo R                    Git URL or local path (env GITCRON_REPO; default: the checkout
                              you are in; https credentials from GITCRON_GIT_TOKEN)
  --ref REF                   branch, tag or commit to plan (default: HEAD — the remote's
                              default branch, or a local checkout's current commit)
  --path P                    folder of job files in the repository (default .; env
                              GITCRON_PATH)
  --status-branch B           (default gitcron-status; env GITCRON_STATUS_BRANCH)
  --status-repo R             where the agent pushes its status branch (env
                              GITCRON_STATUS_REPO; default: a local checkout's origin, else
                              --repo)
${POLICY_HELP}

Exit codes: 0 the plan was printed, 1 some job files are invalid (they would be rejected
and listed), 2 bad flag or repository unreachable.
`;

export const command: Command = {
  name: "plan",
  summary: "show what the agent would change",
  help,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        repo: { type: "string" },
        ref: { type: "string" },
        path: { type: "string" },
        "status-branch": { type: "string" },
        "status-repo": { type: "string" },
        ...POLICY_FLAGS,
      },
      false,
    );
    // In a checkout, plan what it holds (its HEAD, pushed or not) against what its origin's
    // agent runs.
    const checkout =
      (values.repo ?? io.env.GITCRON_REPO) ? undefined : await checkoutAt(io.cwd, io.env);
    const repo = values.repo ?? io.env.GITCRON_REPO ?? checkout;
    if (!repo) throw new UsageError("--repo is required outside a Git checkout");
    const kind = classifyRepo(repo);
    if (kind.type === "folder") {
      throw existsSync(kind.folder)
        ? new UsageError(
            `--repo ${repo} is a plain folder: plan needs a Git repository, whose status branch records what the agent runs`,
          )
        : new EnvironmentError(`--repo ${repo} does not exist`);
    }
    const policy = policyFromFlags(values, io.env);
    const defaultTimezone = values.timezone ?? io.env.GITCRON_TIMEZONE ?? "UTC";
    const statusBranch =
      values["status-branch"] ?? io.env.GITCRON_STATUS_BRANCH ?? "gitcron-status";
    const jobsPath = normalizeJobsPath(values.path ?? io.env.GITCRON_PATH ?? ".");
    const url = kind.url;
    const access: GitAccess = {
      env: io.env,
      ...(io.env.GITCRON_GIT_TOKEN && { gitToken: io.env.GITCRON_GIT_TOKEN }),
    };
    const ref = values.ref ?? "HEAD";
    const dir = await mkdtemp(join(tmpdir(), "gitcron-plan-"));
    try {
      const git = gitRunner({ ...access, remoteUrl: url }, { cwd: dir });
      const sha = await fetchRevision(git, url, ref, access);
      // Read as the agent reads a revision: from Git's objects, never a working tree.
      const filesOf = (commit: string) =>
        revisionFiles({
          git,
          cwd: dir,
          sha: commit,
          jobsPath,
          signal: AbortSignal.timeout(access.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS),
          readTimeoutMs: access.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
        });
      const revision = await filesOf(sha);
      if (revision.files.length === 0 && jobsPath !== "." && !(await hasFolder(git, sha, jobsPath)))
        throw new UsageError(`--path ${jobsPath} is not a folder in ${ref} of ${sanitize(url)}`);
      await revision.prefetch(revision.files);
      // The status branch lives where the agent pushes: given, else a local checkout's origin
      // (a clone has no local status branch), else the repository itself.
      const statusRepo =
        givenStatusRepo(values, io) ??
        (kind.type === "git" && isAbsolute(kind.url)
          ? await originOf(kind.url, io.env)
          : undefined);
      const statusKind = statusRepo ? classifyRepo(statusRepo) : kind;
      if (statusKind.type === "folder")
        throw new UsageError(`--status-repo ${statusRepo} is not a Git repository`);
      const state = await readStatusState(statusKind.url, statusBranch, access);
      const planned = await planRevision({
        files: revision.files,
        read: revision.read,
        active: state?.jobs ?? {},
        options: { policy, defaultTimezone },
      });
      if (!state) io.stdout.write(`(no status branch "${statusBranch}" yet: every job is new)\n`);
      const applied = state?.revision ?? null;
      const entries = await withOldAndNew(planned.entries, revision.read, async () => {
        // The revision the agent applied holds each active job's file as it was last taken.
        if (!applied || !/^[0-9a-f]{40}$/.test(applied)) return undefined;
        await git(["fetch", "--depth=1", "--no-tags", "--", withoutUserinfo(url), applied]);
        return (await filesOf(applied)).read;
      });
      io.stdout.write(`${renderPlan(entries)}\n`);
      if (planned.rejections.length > 0) {
        io.stdout.write(
          `\nRejected files (a job that runs keeps its last good spec: ${planned.kept.join(", ") || "none"}):\n`,
        );
        io.stdout.write(renderText(planned.rejections.flatMap((r) => r.issues)));
        return 1;
      }
      return 0;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Fetches `ref` (a branch, a tag or a commit) alone into the bare repository `git` works in. */
async function fetchRevision(
  git: Git,
  url: string,
  ref: string,
  access: GitAccess,
): Promise<string> {
  try {
    await git(["init", "--quiet", "--bare"]);
    // `--` keeps a --ref that starts with a dash from being read as an option.
    await git(["fetch", "--depth=1", "--no-tags", "--", withoutUserinfo(url), ref]);
    return (await git(["rev-parse", "--verify", "FETCH_HEAD^{commit}"])).trim();
  } catch (err) {
    throw new EnvironmentError(
      sanitize(`cannot fetch ${ref} from ${url}: ${gitErrorText(err, access)}`),
    );
  }
}

async function hasFolder(git: Git, sha: string, path: string) {
  const out = await git(["ls-tree", "-d", sha, "--", path]).catch(() => "");
  return out.trim() !== "";
}
