// The files of the status branch and what a batch of runs makes of them: jobs/<name>/runs.jsonl
// (deduplicated, newest last, at most --history), jobs/<name>/last.json, state.json, README.md.
// Pure: the writer reads the files a batch touches and writes what comes back.

import { recordKey, summaryTime } from "./outbox.js";
import type { StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";

/** A job's folder; names are DNS labels already, this only keeps a bad one inside jobs/. */
export const jobFolder = (job: string): string => `jobs/${job.replace(/[^A-Za-z0-9_-]/g, "_")}`;
export const runsPath = (job: string) => `${jobFolder(job)}/runs.jsonl`;
export const lastPath = (job: string) => `${jobFolder(job)}/last.json`;

/** Stable, by finish (or due) time: the newest ends up last. */
const byTime = (a: RunSummary, b: RunSummary) =>
  Date.parse(summaryTime(a)) - Date.parse(summaryTime(b));

/** A job's runs with a batch added: each record once, newest last, the last `history` kept;
 * `fresh` are those of the batch the branch did not have yet. */
export function mergeRuns(
  existing: readonly RunSummary[],
  incoming: readonly RunSummary[],
  history: number,
): { runs: RunSummary[]; fresh: RunSummary[] } {
  const seen = new Set(existing.map(recordKey));
  const fresh: RunSummary[] = [];
  for (const summary of incoming) {
    const key = recordKey(summary);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(summary);
  }
  const runs = [...existing, ...fresh].sort(byTime).slice(-Math.max(1, history));
  return { runs, fresh };
}

export const runsText = (runs: readonly RunSummary[]) =>
  `${runs.map((r) => JSON.stringify(r)).join("\n")}\n`;
export const lastText = (run: RunSummary) => `${JSON.stringify(run, null, 2)}\n`;
export const stateText = (state: StatusState) => `${JSON.stringify(state, null, 2)}\n`;

/** How old the time of the last sync on the branch may get before state.json is written for
 * it alone: the branch says the agent is alive without rewriting the file at every commit. */
export const SYNC_TIME_REFRESH_MS = 10 * 60_000;

/** What in the state is worth writing state.json for: not the time of the last sync, nor the
 * next-run times, which change all the time. */
export function stateKey(state: StatusState): string {
  const jobs = Object.fromEntries(
    Object.entries(state.jobs).map(([name, j]) => [name, { ...j, nextRunAt: null }]),
  );
  return JSON.stringify({ ...state, lastSyncAt: null, jobs });
}

/** Whether `next` must be written over `current` (the branch's state.json, whose stateKey is
 * `currentKey`). */
export function stateChanged(
  currentKey: string | null,
  current: StatusState | null,
  next: StatusState,
  now: number,
): boolean {
  if (!current || currentKey !== stateKey(next)) return true;
  const lastSync = Date.parse(current.lastSyncAt ?? "");
  return Number.isNaN(lastSync) || now - lastSync >= SYNC_TIME_REFRESH_MS;
}
