// `gitcron plan --repo R [--ref REF]`: what the agent would change, against the active set
// recorded in state.json on the status branch.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EnvironmentError, sanitize, UsageError } from "../errors.js";
import { hasErrors } from "../jobs/issues.js";
import { loadJobTree } from "../jobs/load.js";
import { renderText } from "../jobs/render.js";
import { plan, renderPlan } from "../plan/plan.js";
import { classifyRepo } from "../source/job-files.js";
import { type GitAccess, gitErrorText, gitIn } from "../status/git.js";
import { readStatusState } from "../status/state.js";
import { type Command, parseFlags } from "./command.js";
import { POLICY_FLAGS, POLICY_HELP, policyFromFlags } from "./policy-flags.js";

const help = `Usage: gitcron plan --repo R [--ref REF] [flags]

Show what the agent would change if REF (default: the default branch) were applied:
each job as "+ add", "~ change" (with the fields that differ), "- remove" or "= same",
against the active set recorded in state.json on the status branch.

Flags:
  --repo R                    Git URL or local path (env GITCRON_REPO; https credentials
                              from GITCRON_GIT_TOKEN)
  --ref REF                   branch, tag or commit to plan (default: the remote's HEAD)
  --path P                    folder of job files in the repository (default .; env
                              GITCRON_PATH)
  --status-branch B           (default gitcron-status; env GITCRON_STATUS_BRANCH)
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
        ...POLICY_FLAGS,
      },
      false,
    );
    const repo = values.repo ?? io.env.GITCRON_REPO;
    if (!repo) throw new UsageError("--repo is required");
    const kind = classifyRepo(repo);
    if (kind.type === "folder") {
      throw new UsageError(
        "plan needs a Git repository: a watched folder has no status branch to compare with",
      );
    }
    const policy = policyFromFlags(values, io.env);
    const statusBranch =
      values["status-branch"] ?? io.env.GITCRON_STATUS_BRANCH ?? "gitcron-status";
    const jobsPath = values.path ?? io.env.GITCRON_PATH ?? ".";
    const url = kind.url;
    const access: GitAccess = io.env.GITCRON_GIT_TOKEN
      ? { gitToken: io.env.GITCRON_GIT_TOKEN }
      : {};
    const dir = await mkdtemp(join(tmpdir(), "gitcron-plan-"));
    try {
      await checkout(url, values.ref, dir, access);
      const tree = await loadJobTree([resolve(dir, jobsPath)], {
        policy,
        defaultTimezone: values.timezone ?? io.env.GITCRON_TIMEZONE ?? "UTC",
        cwd: dir,
      });
      const state = await readStatusState(url, statusBranch, access);
      const entries = plan(tree.specs, state?.jobs ?? {});
      if (!state) io.stdout.write(`(no status branch "${statusBranch}" yet: every job is new)\n`);
      io.stdout.write(`${renderPlan(entries)}\n`);
      if (hasErrors(tree.issues)) {
        io.stdout.write(`\nRejected files (the agent keeps their jobs' last good spec):\n`);
        io.stdout.write(renderText(tree.issues.filter((i) => i.severity === "error")));
        return 1;
      }
      return 0;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

async function checkout(url: string, ref: string | undefined, dir: string, access: GitAccess) {
  const git = gitIn(dir, access);
  try {
    await git.init(["--quiet"]);
    await git.fetch([url, ref ?? "HEAD", "--depth=1", "--no-tags"]);
    await git.checkout(["--quiet", "FETCH_HEAD"]);
  } catch (err) {
    throw new EnvironmentError(
      sanitize(`cannot fetch ${ref ?? "HEAD"} from ${url}: ${gitErrorText(err, access)}`),
    );
  }
}
