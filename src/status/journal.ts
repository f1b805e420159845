// The journal of the status branch (SPEC §3, §10): each publish adds one file
// runs/<YYYY-MM-DD>/<HH>/<MMSS>-<agent id>.jsonl holding its batch of run summaries, one a line,
// oldest first. A journal file is written once and never changed; names sort in time order, so
// "newer than" is a comparison of names. Pure.

import type { Logger } from "../log.js";
import { recordKey, summaryTime } from "./outbox.js";
import type { RunSummary } from "./summary.js";
import { isRunSummary } from "./summary-shape.js";

export const JOURNAL_ROOT = "runs";

const JOURNAL_FILE =
  /^runs\/(\d{4}-\d{2}-\d{2})\/(\d{2})\/(\d{2})(\d{2})-([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.jsonl$/;

const pad = (n: number) => String(n).padStart(2, "0");

/** The journal file of a publish at `at` by agent `agent`. */
export function journalPath(at: Date, agent: string): string {
  const day = at.toISOString().slice(0, 10);
  return `${JOURNAL_ROOT}/${day}/${pad(at.getUTCHours())}/${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}-${agent}.jsonl`;
}

/** The instant a journal file's name gives, or null for a path that is not a journal file. */
export function journalTime(path: string): number | null {
  const m = JOURNAL_FILE.exec(path);
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
  return Number.isNaN(t) ? null : t;
}

export const isJournalPath = (path: string): boolean => journalTime(path) !== null;

/** The first name free at or after `at` (a second later each time one is taken): two publishes
 * in one second, or a clock that went back, never write over a file. */
export function freeJournalPath(
  at: Date,
  agent: string,
  taken: (path: string) => boolean,
  after: string | null = null,
): string {
  let t = Math.floor(at.getTime() / 1000) * 1000;
  for (;;) {
    const path = journalPath(new Date(t), agent);
    if (!taken(path) && (after === null || path > after)) return path;
    t += 1000;
  }
}

/** Journal files as a view names them: without `runs/` and `.jsonl`. */
export const journalRef = (path: string): string =>
  path.slice(JOURNAL_ROOT.length + 1, -".jsonl".length);
export const journalOfRef = (ref: string): string => `${JOURNAL_ROOT}/${ref}.jsonl`;

/** Stable, by finish (or due) time: the newest ends up last. */
export const byTime = (a: RunSummary, b: RunSummary): number =>
  Date.parse(summaryTime(a)) - Date.parse(summaryTime(b));

/** A journal file's text: the batch, oldest first. */
export const journalText = (runs: readonly RunSummary[]): string =>
  `${[...runs]
    .sort(byTime)
    .map((r) => JSON.stringify(r))
    .join("\n")}\n`;

/** The summaries in a journal (or an earlier runs.jsonl) text; an unreadable line is dropped
 * with a warning: the branch is anyone's to push to (SPEC §4). */
export function parseRuns(text: string, file: string, logger?: Logger): RunSummary[] {
  const runs: RunSummary[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isRunSummary(value)) {
        runs.push(value);
        continue;
      }
    } catch {
      // reported below
    }
    logger?.warn({ file, line: i + 1 }, "unreadable line dropped from the status branch");
  }
  return runs;
}

/** Of two records of one run's end, the one to keep: the first, unless only the second read
 * the exit code (an agent that followed a run another recorded found its container gone). */
export const better = (kept: RunSummary, other: RunSummary): RunSummary =>
  kept.exitCode === null && other.exitCode !== null ? other : kept;

/** Records each once (by recordKey, the better of two kept), newest last. */
export function uniqueRuns(runs: Iterable<RunSummary>): RunSummary[] {
  const byKey = new Map<string, RunSummary>();
  for (const run of runs) {
    const key = recordKey(run);
    const there = byKey.get(key);
    byKey.set(key, there ? better(there, run) : run);
  }
  return [...byKey.values()].sort(byScheduled);
}

/** How runs are listed to people (`gitcron logs`, the page): by the tick they belong to, then
 * attempt; a tick skipped while a longer run went on comes after that run, not before it. */
export const byScheduled = (a: RunSummary, b: RunSummary): number =>
  Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt) || a.attempt - b.attempt || byTime(a, b);

/** Day folders (runs/<YYYY-MM-DD>) wholly older than `keepMs` before `now`: they leave the tip. */
export function expiredDays(days: Iterable<string>, now: Date, keepMs: number): string[] {
  const cutoff = now.getTime() - keepMs;
  return [...days].filter((day) => {
    const start = Date.parse(`${day}T00:00:00Z`);
    return !Number.isNaN(start) && start + 86_400_000 <= cutoff;
  });
}
