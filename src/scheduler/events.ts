import type { OutputLine, Trigger } from "../runtime/runtime.js";
import type { RunSummary } from "../status/summary.js";
import type { MissedJob } from "./missed.js";

export type TickAction = "started" | "queued" | "merged" | "skipped" | "replacing" | "waiting-slot";

export interface SchedulerEvents {
  /** A scheduled instant came (or a manual/catch-up request) and what was done with it. */
  tick: { job: string; scheduledAt: Date; trigger: Trigger; action: TickAction };
  /** A container start was asked of the runtime; lagMs = now − scheduled instant. */
  "run:launch": { job: string; runId: string; scheduledAt: Date; trigger: Trigger; lagMs: number };
  /** A line of a run's output as it comes (secrets of the job already masked). */
  "run:line": { job: string; runId: string; line: OutputLine };
  /** A run (or a skipped/missed tick) was recorded. */
  "run:recorded": { summary: RunSummary };
  /** A failed attempt will be tried again at `retryAt`. */
  "retry:waiting": { job: string; scheduledAt: Date; attempt: number; retryAt: Date };
  /** Ticks missed while no agent ran (a start, a takeover, a lease held again), all jobs in
   * one: recorded one by one, told together. */
  "caught-up": { at: Date; missed: readonly MissedJob[] };
  /** A job has no run going, waiting or backing off. */
  "job:idle": { job: string };
}
