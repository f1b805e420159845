// The files of the status branch and what a batch of runs makes of them: jobs/<name>/runs.jsonl
// (deduplicated, newest last, at most --history), jobs/<name>/last.json, state.json, README.md.
// Pure: the writer reads the files a batch touches and writes what comes back.

import { recordKey, summaryTime } from "./outbox.js";
import type { StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";
import { isRunSummary } from "./summary-shape.js";

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
  const byKey = new Map(existing.map((s) => [recordKey(s), s]));
  // The same run's end as another agent saw it: kept when it read the exit code and the record
  // there did not (its follower found the container removed by the agent that recorded it).
  const better = incoming.filter((s) => {
    const there = byKey.get(recordKey(s));
    return there !== undefined && there.exitCode === null && s.exitCode !== null;
  });
  const replaced = new Set(better.map(recordKey));
  const fresh = [...better, ...unseen(incoming, new Set(byKey.keys()))];
  const runs = [...existing.filter((s) => !replaced.has(recordKey(s))), ...fresh]
    .sort(byTime)
    .slice(-kept(history));
  return { runs, fresh };
}

/** The runs whose record is not in `seen`, each once, in their order; `seen` learns them. */
function unseen(incoming: readonly RunSummary[], seen: Set<string>): RunSummary[] {
  const fresh: RunSummary[] = [];
  for (const summary of incoming) {
    const key = recordKey(summary);
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(summary);
  }
  return fresh;
}

/** --history as the number of lines a runs.jsonl keeps: never fewer than one. */
const kept = (history: number) => Math.max(1, history);

/** A job's runs.jsonl once a batch is in it, and what the README needs of it. */
export interface MergedRuns {
  text: string;
  /** The batch's runs the file did not have, in the batch's order. */
  fresh: RunSummary[];
  /** The file's newest run. */
  last: RunSummary;
  /** The newest run that started, when `last` did not (a missed or skipped tick). */
  lastStarted: RunSummary | undefined;
}

/** mergeRuns on a file's text; null when the batch holds nothing new. Usually every run of the
 * batch is new to the file (its run id appears nowhere in it) and none is older than the file's
 * last line: then the batch is appended and the oldest lines dropped, parsing the last line
 * alone — the other lines, up to --history of them, stay text. Otherwise `parse` reads the whole
 * file and mergeRuns decides. Lines are JSON.stringify's, so both ways write the same bytes. */
export function mergeRunsText(
  text: string,
  incoming: readonly RunSummary[],
  history: number,
  parse: (text: string) => RunSummary[],
): MergedRuns | null {
  const appended = appendRuns(text, incoming, history);
  if (appended !== undefined) return appended;
  const merged = mergeRuns(parse(text), incoming, history);
  if (merged.fresh.length === 0) return null;
  const last = merged.runs.at(-1) as RunSummary;
  const lastStarted = last.startedAt ? undefined : newestStarted(merged.runs);
  return { text: runsText(merged.runs), fresh: merged.fresh, last, lastStarted };
}

/** The append of mergeRunsText, or undefined when the batch needs the whole file read. */
function appendRuns(
  text: string,
  incoming: readonly RunSummary[],
  history: number,
): MergedRuns | null | undefined {
  const fresh = unseen(incoming, new Set());
  if (fresh.length === 0) return null;
  if (fresh.some((s) => text.includes(s.run))) return undefined;
  const ordered = [...fresh].sort(byTime);
  const lines = text.split("\n").filter((line) => line !== "");
  const lastLine = lines.at(-1);
  if (lastLine !== undefined) {
    let previous: unknown;
    try {
      previous = JSON.parse(lastLine);
    } catch {
      return undefined;
    }
    if (!isRunSummary(previous) || byTime(previous, ordered[0] as RunSummary) > 0) return undefined;
  }
  const keep = kept(history);
  const last = ordered.at(-1) as RunSummary;
  const lastStarted = last.startedAt ? undefined : newestStarted(ordered.slice(-keep));
  // The run that started last may be in the lines kept as text.
  if (!last.startedAt && !lastStarted) return undefined;
  for (const run of ordered) lines.push(runLine(run));
  return {
    text: `${lines.slice(-keep).join("\n")}\n`,
    fresh,
    last,
    lastStarted,
  };
}

function newestStarted(runs: readonly RunSummary[]): RunSummary | undefined {
  for (let i = runs.length - 1; i >= 0; i--) if (runs[i]?.startedAt) return runs[i];
  return undefined;
}

/** One line of runs.jsonl; both ways of merging write lines through it. */
const runLine = (run: RunSummary) => JSON.stringify(run);
export const runsText = (runs: readonly RunSummary[]) => `${runs.map(runLine).join("\n")}\n`;
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
