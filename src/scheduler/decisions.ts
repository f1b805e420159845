// What the scheduler does, as pure functions of the time, the job's state, its spec and what
// happened — a tick came, a run ended, a queued tick's turn came — as the Kubernetes CronJob
// controller decides from `now`. The Scheduler class holds the state and carries them out;
// these are table-tested alone (test/scheduler/decisions.test.ts).

import type { Overlap } from "../jobs/spec.js";
import type { RunOutcome } from "../runtime/runtime.js";
import { isRetryable, retryDelayMs } from "./summaries.js";

/** What a job is doing when a tick comes. */
export interface TickState {
  /** The newest instant a run was started or queued for (a manual run takes its second). */
  lastInstant: Date | null;
  /** The attempt the job has, if any, and whether its container runs yet. */
  active: { runId: string; phase: "running" | "waiting-slot" | "backoff" } | null;
  /** Whether a tick waits behind the active run already. */
  queued: boolean;
}

export type TickDecision =
  /** The tick's run is one that already took its instant (a manual run in the same second),
   * or the tick already queued behind the run stands for it too. */
  | { do: "merge"; into: "instant" | "queued" }
  /** Start a run (or park it until --max-parallel has a slot). */
  | { do: "start" }
  /** overlap: skip — record the tick as skipped. */
  | { do: "skip"; reason: string }
  /** overlap: replace — stop the running run and queue this tick to start once it ended. */
  | { do: "replace-running"; reason: string }
  /** overlap: replace — nothing runs yet: drop the waiting attempt, start this one. */
  | { do: "replace-waiting" }
  /** overlap: queue — wait behind the active run. */
  | { do: "queue" };

export function decideTick(
  state: TickState,
  overlap: Overlap,
  tick: { scheduledAt: Date; trigger: string },
): TickDecision {
  if (tick.trigger === "schedule" && state.lastInstant && tick.scheduledAt <= state.lastInstant)
    return { do: "merge", into: "instant" };
  const { active } = state;
  if (!active) return { do: "start" };
  switch (overlap) {
    case "skip":
      return { do: "skip", reason: `run ${active.runId} was still going` };
    case "replace":
      return active.phase === "running"
        ? { do: "replace-running", reason: "replaced by a newer run" }
        : { do: "replace-waiting" };
    default:
      return state.queued ? { do: "merge", into: "queued" } : { do: "queue" };
  }
}

export type AfterRunDecision =
  /** Try the same tick again at `retryAt`, as attempt `attempt`. */
  | { do: "retry"; attempt: number; retryAt: Date }
  /** Start the tick that queued behind the run. */
  | { do: "start-queued" }
  | { do: "idle" };

/** After an attempt ended: retry it (a retryable outcome, attempts left, the job still there
 * and the run not replaced or stopped), else the queued tick's turn — unless the agent is
 * stopping or held, when it stays queued and the next start counts it as missed. */
export function decideAfterRun(input: {
  now: Date;
  outcome: RunOutcome;
  attempt: number;
  retries: { limit: number; backoffMs: number };
  /** The job was removed while it ran. */
  removed: boolean;
  /** The run was stopped by the scheduler (replaced by a newer tick). */
  interrupted: boolean;
  queued: boolean;
  startsNothing: boolean;
}): AfterRunDecision {
  if (
    !input.removed &&
    !input.interrupted &&
    isRetryable(input.outcome) &&
    input.attempt <= input.retries.limit
  ) {
    const attempt = input.attempt + 1;
    const delay = retryDelayMs(input.retries.backoffMs, attempt);
    return { do: "retry", attempt, retryAt: new Date(input.now.getTime() + delay) };
  }
  return input.queued && !input.removed && !input.startsNothing
    ? { do: "start-queued" }
    : { do: "idle" };
}

export type QueuedDecision = { do: "start" } | { do: "miss"; reason: string };

/** A queued tick's turn: it starts, unless it waited past the job's startingDeadline. */
export function decideQueued(
  now: Date,
  scheduledAt: Date,
  startingDeadlineMs: number | undefined,
): QueuedDecision {
  const late = now.getTime() - scheduledAt.getTime();
  return startingDeadlineMs !== undefined && late > startingDeadlineMs
    ? {
        do: "miss",
        reason: `waited ${Math.round(late / 1000)}s behind the previous run, past startingDeadline`,
      }
    : { do: "start" };
}
