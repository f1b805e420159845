// What an agent that leads reads back from the status branch (SPEC §10, "Views lag, readers
// don't"): each job's last run, for /jobs and the page before the job runs again and for the
// ticks missed since; each job's runs and first-applied instant, from which the notifier picks
// up health when the data folder has none of its own; and the files told as rejected. All read
// through one fetch of the tip: each fetch is a temporary repository, `ls-remote` and a fetch,
// and a tick that passes before a new leader releases its scheduler is recorded as missed.

import { oneLine } from "../errors.js";
import type { GitAccess } from "../git/run.js";
import type { Logger } from "../log.js";
import type { AgentSettings } from "../settings.js";
import { readLedger, runsOfJobs } from "../status/ledger.js";
import { type BranchTip, type ReadBranchOptions, withBranchTip } from "../status/read-branch.js";
import { type RejectedFile, type StatusState, stateAtTip } from "../status/state.js";
import type { RunSummary } from "../status/summary.js";

export interface BranchAccess extends ReadBranchOptions {
  branch: string;
  history: number;
}

export const branchAccessOf = (
  settings: AgentSettings,
  git: Omit<GitAccess, "remoteUrl">,
): BranchAccess => ({ branch: settings.statusBranch, history: settings.history, ...git });

export interface JobSeed {
  runs: RunSummary[];
  /** When the job was first applied, if the branch's state says. */
  since?: number;
}

/** The records at one tip of the status branch. */
export interface BranchRecords {
  /** Each job's last run with its log tail. */
  lastRuns(jobs: readonly string[]): Promise<RunSummary[]>;
  /** Each job's runs (oldest first, with their tails) and first-applied instant. */
  seeds(jobs: readonly string[]): Promise<Map<string, JobSeed>>;
  /** The files state.json lists as rejected: what the agent that led before knew, and told.
   * Null when the branch has no state. */
  rejected(): Promise<RejectedFile[] | null>;
}

/** The records at `tip`; none when the branch does not exist (null). */
export function branchRecords(tip: BranchTip | null, access: BranchAccess): BranchRecords {
  let state: Promise<StatusState | null> | undefined;
  const stateAt = () => {
    state ??= tip ? stateAtTip(tip, access.branch) : Promise.resolve(null);
    return state;
  };
  const runsOf = async (jobs: readonly string[], count: number) => {
    if (!tip) return new Map<string, RunSummary[]>();
    const ledger = await readLedger(tip, { jobs, history: access.history });
    return runsOfJobs(tip, ledger.views, jobs, count);
  };
  return {
    async lastRuns(jobs) {
      return [...(await runsOf(jobs, 1)).values()].flatMap((r) => r.slice(-1));
    },
    async seeds(jobs) {
      const runs = await runsOf(jobs, access.history);
      const applied = new Map(Object.entries((await stateAt())?.jobs ?? {}));
      return new Map(
        jobs.map((job) => {
          const appliedAt = applied.get(job)?.appliedAt;
          return [
            job,
            { runs: runs.get(job) ?? [], ...(appliedAt && { since: Date.parse(appliedAt) }) },
          ];
        }),
      );
    },
    rejected: async () => (await stateAt())?.rejected ?? null,
  };
}

/** Calls `use` with the records at the tip of the status branch, fetched once. A branch that
 * cannot be read is logged and read as empty: the agent goes on with its data folder's own. */
export async function withBranchRecords<T>(
  repoUrl: string,
  access: BranchAccess,
  logger: Logger,
  use: (records: BranchRecords) => Promise<T>,
): Promise<T> {
  let entered = false;
  try {
    return await withBranchTip(repoUrl, access.branch, access, (tip) => {
      entered = true;
      return use(branchRecords(tip, access));
    });
  } catch (err) {
    if (entered) throw err;
    logger.warn(
      { err: oneLine(err) },
      "could not read the status branch; going on with this data folder's records",
    );
    return use(branchRecords(null, access));
  }
}

/** Each job's last run with its log tail, from the tip of the status branch. */
export const lastRunsFromBranch = (
  repoUrl: string,
  access: BranchAccess,
  jobs: readonly string[],
): Promise<RunSummary[]> =>
  withBranchTip(repoUrl, access.branch, access, (tip) => branchRecords(tip, access).lastRuns(jobs));
