// What the status page shows, as plain data (SPEC §8): built from the scheduler's view, each
// job's health and its recent runs; rendered by render.ts. Pure: the caller hands in the time.

import type { JobSpec } from "../jobs/spec.js";
import { describeSchedule } from "../schedule/describe.js";
import type { JobView } from "../scheduler/scheduler.js";
import type { RunSummary, SummaryOutcome } from "../status/summary.js";

export type JobStateWord = "running" | "queued" | "idle" | "suspended" | "paused" | "late";

/** One bar of a duration chart. */
export interface RunBar {
  run: string;
  outcome: SummaryOutcome;
  durationMs: number | null;
  /** When it started, or was due for a run that never started. */
  at: string;
}

export interface JobRow {
  name: string;
  file: string;
  schedule: string;
  /** The schedule in words, or the expression itself when it cannot be put in words. */
  scheduleWords: string;
  timezone: string;
  state: JobStateWord;
  /** Its last run failed, timed out or could not start. */
  failing: boolean;
  /** Its file is rejected in the applied revision: it keeps running its last good spec. */
  rejected: boolean;
  last: { outcome: SummaryOutcome; exitCode: number | null; at: string } | null;
  /** Recent runs, oldest first. */
  runs: RunBar[];
  nextRunAt: string | null;
  /** Set while the job is paused (`gitcron pause`): when the pause ends. */
  pausedUntil?: string;
}

export interface RejectedFileRow {
  file: string;
  issues: { line: number; col: number; rule: string; message: string }[];
}

export interface PageModel {
  now: Date;
  jobs: JobRow[];
  rejected: RejectedFileRow[];
  revision: string | null;
  lastSyncAt: string | null;
  syncErrors: { count: number; last?: { at: string; message: string } };
  /** Whether the page offers "Run now" (the agent has --api-token, or listens on loopback). */
  canRun: boolean;
  /** Whether the page has a session to log out of (the agent has --api-token). */
  logsIn?: boolean;
  /** Who leads the repository (SPEC §3), and whether it is this agent; absent: not known. */
  leader?: { host: string; pid: number; self: boolean } | null;
}

export interface JobPageModel {
  now: Date;
  row: JobRow;
  spec: JobSpec;
  revision: string;
  /** The run history, newest first, each with its log tail. */
  history: RunSummary[];
  canRun: boolean;
}

/** Recent runs shown in a row's chart. */
export const CHART_RUNS = 20;

const FAILING: ReadonlySet<SummaryOutcome> = new Set(["failed", "timeout", "error"]);

export const isFailing = (outcome: SummaryOutcome | undefined) =>
  outcome !== undefined && FAILING.has(outcome);

/** Memoised per schedule: 5,000 jobs share a handful of schedules, and cronstrue is not free. */
export function scheduleWordsCache(): (schedule: string) => string {
  const memo = new Map<string, string>();
  return (schedule) => {
    let words = memo.get(schedule);
    if (words === undefined) {
      try {
        words = describeSchedule(schedule);
      } catch {
        words = schedule;
      }
      memo.set(schedule, words);
    }
    return words;
  };
}

export function stateOf(view: JobView, late: boolean): JobStateWord {
  if (view.running && view.running.phase !== "waiting-slot") return "running";
  if (view.queued || view.running) return "queued";
  if (view.spec.suspended) return "suspended";
  if (view.pausedUntil) return "paused";
  if (late) return "late";
  return "idle";
}

const barOf = (s: RunSummary): RunBar => ({
  run: s.run,
  outcome: s.outcome,
  durationMs: s.durationMs,
  at: s.startedAt ?? s.scheduledAt,
});

export function jobRow(options: {
  view: JobView;
  /** The job's runs, oldest first (the status branch and the outbox). */
  runs: readonly RunSummary[];
  late: boolean;
  rejected: boolean;
  words: (schedule: string) => string;
}): JobRow {
  const { view, runs } = options;
  // The scheduler's own "last" is newer than what the branch holds while a push is pending;
  // after a restart it is null, and the branch's newest run is the last one.
  const newest = runs[runs.length - 1];
  const last =
    view.last && (!newest || Date.parse(view.last.scheduledAt) >= Date.parse(newest.scheduledAt))
      ? view.last
      : (newest ?? null);
  const bars = runs.slice(-CHART_RUNS).map(barOf);
  if (view.last && !runs.some((r) => r.run === view.last?.run && r.attempt === view.last.attempt))
    bars.push(barOf(view.last));
  return {
    name: view.spec.name,
    file: view.spec.file,
    schedule: view.spec.schedule,
    scheduleWords: options.words(view.spec.schedule),
    timezone: view.spec.timezone,
    state: stateOf(view, options.late),
    failing: isFailing(last?.outcome),
    rejected: options.rejected,
    last: last && {
      outcome: last.outcome,
      exitCode: last.exitCode,
      at: last.finishedAt ?? last.startedAt ?? last.scheduledAt,
    },
    runs: bars.slice(-CHART_RUNS),
    nextRunAt: view.nextRunAt?.toISOString() ?? null,
    ...(view.pausedUntil && { pausedUntil: view.pausedUntil.toISOString() }),
  };
}

/** 0 failing, 1 late, 2 its file rejected, 3 the rest: the page's order, also in each row's
 * data-rank for the script that keeps the order as rows change. */
export const attentionRank = (r: JobRow): number =>
  r.failing ? 0 : r.state === "late" ? 1 : r.rejected ? 2 : 3;

/** Failing first, then late, then those whose file is rejected, then the rest; by name within
 * (code-unit order, as page.js compares). */
export function byAttention(a: JobRow, b: JobRow): number {
  return attentionRank(a) - attentionRank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
