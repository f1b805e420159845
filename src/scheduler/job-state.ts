// The scheduler's per-job state and the read-only view of it that /jobs, metrics and the
// status README show.

import type { Clock } from "../core/clock.js";
import type { Policy } from "../jobs/policy.js";
import type { JobSpec } from "../jobs/spec.js";
import type { Logger } from "../log.js";
import type { Runtime, Trigger } from "../runtime/runtime.js";
import type { Schedule } from "../schedule/cron.js";
import type { RunSummary } from "../status/summary.js";
import type { TickAction } from "./events.js";
import type { Attempt } from "./summaries.js";

export interface SchedulerOptions {
  clock: Clock;
  runtime: Pick<Runtime, "run" | "adopt">;
  /** Must not resolve before the summary is safely stored (the outbox). `caughtUp`: the tick
   * was missed while no agent ran, and is told with the others of its catch-up ("caught-up"). */
  record: (summary: RunSummary, context: { caughtUp: boolean }) => Promise<void>;
  logger: Logger;
  policy: Policy;
  env: Readonly<Record<string, string | undefined>>;
  /** The agent that owns every run: its label and the end of its container's name. */
  agent: string;
  maxParallel: number;
  /** Timers never sleep longer than this, so a clock jump or a suspended machine is noticed. */
  maxSleepMs?: number;
  /** When the job's pause (`gitcron pause`) ends, or null: a paused job's ticks start no run. */
  pausedUntil?: (job: string) => Date | null;
}

export interface Tick {
  scheduledAt: Date;
  trigger: Trigger;
}

/** A retry waiting for its backoff, as saved for the next start (times as ISO strings). */
export interface PendingRetry {
  job: string;
  scheduledAt: string;
  attempt: number;
  retryAt: string;
}

export interface Active extends Attempt {
  phase: "waiting-slot" | "running" | "backoff";
  revision: string;
  stop: AbortController;
  retryAt?: Date;
  startedAt?: Date;
  containerId?: string;
}

export interface JobState {
  spec: JobSpec;
  revision: string;
  schedule: Schedule;
  nextAt: Date | null;
  /** The newest scheduled instant handled, persisted so a restart can count missed ticks. */
  cursor: Date;
  active: Active | null;
  queued: (Tick & { merged: number }) | null;
  /** The newest instant a run was started or queued for: run ids and container names are per
   * instant, so a manual run takes a second of its own and a tick of that second is covered. */
  lastInstant: Date | null;
  removed: boolean;
  last: RunSummary | null;
}

export interface JobView {
  spec: JobSpec;
  revision: string;
  nextRunAt: Date | null;
  running: { runId: string; phase: Active["phase"]; scheduledAt: Date; startedAt?: Date } | null;
  queued: { scheduledAt: Date; merged: number } | null;
  last: RunSummary | null;
  /** Set while the job is paused (`gitcron pause`). */
  pausedUntil?: Date;
}

export type TriggerResult =
  | { status: "accepted"; runId: string; action: TickAction }
  | { status: "not-found" }
  | { status: "busy" }
  /** This agent stands by: the leader of the repository runs its jobs (SPEC §3). */
  | { status: "standby" };

export type StopResult =
  | { status: "stopping"; runId: string }
  | { status: "not-found" }
  /** Nothing of the job runs (a retry backing off or a run waiting for a slot has no container
   * to stop). */
  | { status: "not-running" }
  | { status: "standby" };

export function viewOf(j: JobState, pausedUntil?: Date | null): JobView {
  return {
    ...(pausedUntil && { pausedUntil }),
    spec: j.spec,
    revision: j.revision,
    nextRunAt: j.nextAt,
    running: j.active && {
      runId: j.active.runId,
      phase: j.active.phase,
      scheduledAt: j.active.scheduledAt,
      ...(j.active.startedAt && { startedAt: j.active.startedAt }),
    },
    queued: j.queued && { scheduledAt: j.queued.scheduledAt, merged: j.queued.merged },
    last: j.last,
  };
}
