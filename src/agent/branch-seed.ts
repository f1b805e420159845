// What an agent that (re)starts reads back from the status branch (SPEC §10, "Views lag,
// readers don't"): each job's last run, for /jobs and the page before the job runs again, and
// each job's runs and first-applied instant, from which the notifier picks up health when the
// data folder has none of its own. Both read the views, then the journal files newer than them.

import type { GitAccess } from "../git/run.js";
import type { AgentSettings } from "../settings.js";
import { readLedger, runsOfJobs } from "../status/ledger.js";
import { type ReadBranchOptions, withBranchTip } from "../status/read-branch.js";
import { parseStatusState, type RejectedFile, type StatusState } from "../status/state.js";
import type { RunSummary } from "../status/summary.js";

export interface BranchAccess extends ReadBranchOptions {
  branch: string;
  history: number;
}

export const branchAccessOf = (
  settings: AgentSettings,
  git: Omit<GitAccess, "remoteUrl">,
): BranchAccess => ({ branch: settings.statusBranch, history: settings.history, ...git });

/** Each job's last run with its log tail, from the tip of the status branch. */
export async function lastRunsFromBranch(
  repoUrl: string,
  access: BranchAccess,
  jobs: readonly string[],
): Promise<RunSummary[]> {
  return withBranchTip(repoUrl, access.branch, access, async (tip) => {
    if (!tip) return [];
    const ledger = await readLedger(tip, { jobs, history: access.history });
    const runs = await runsOfJobs(tip, ledger.views, jobs, 1);
    return [...runs.values()].flatMap((r) => r.slice(-1));
  });
}

export interface JobSeed {
  runs: RunSummary[];
  /** When the job was first applied, if the branch's state says. */
  since?: number;
}

/** Each job's runs (oldest first, with their tails) and first-applied instant. */
export async function seedFromBranch(
  repoUrl: string,
  access: BranchAccess,
  jobs: readonly string[],
): Promise<Map<string, JobSeed>> {
  return withBranchTip(repoUrl, access.branch, access, async (tip) => {
    const seeds = new Map<string, JobSeed>();
    if (!tip) return seeds;
    const ledger = await readLedger(tip, { jobs, history: access.history });
    const runs = await runsOfJobs(tip, ledger.views, jobs, access.history);
    const state = await stateAt(tip, access.branch);
    const applied = new Map(Object.entries(state?.jobs ?? {}));
    for (const job of jobs) {
      const appliedAt = applied.get(job)?.appliedAt;
      seeds.set(job, {
        runs: runs.get(job) ?? [],
        ...(appliedAt && { since: Date.parse(appliedAt) }),
      });
    }
    return seeds;
  });
}

/** The files the branch's state.json lists as rejected: what the agent that led before knew,
 * and told. Null when the branch has no state. */
export function rejectedOnBranch(
  repoUrl: string,
  access: BranchAccess,
): Promise<RejectedFile[] | null> {
  return withBranchTip(repoUrl, access.branch, access, async (tip) =>
    tip ? ((await stateAt(tip, access.branch))?.rejected ?? null) : null,
  );
}

async function stateAt(
  tip: { read(paths: string[]): Promise<Map<string, string>> },
  branch: string,
): Promise<StatusState | null> {
  const text = (await tip.read(["state.json"])).get("state.json");
  return text ? parseStatusState(text, branch) : null;
}
