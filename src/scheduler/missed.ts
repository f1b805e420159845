// Ticks that fell while the agent was down (pure).

import type { JobSpec } from "../jobs/spec.js";
import type { Schedule } from "../schedule/cron.js";

export interface MissedTicks {
  count: number;
  first: Date;
  last: Date;
}

/** Ticks in (since, now]; counting stops at `cap` so a year-long outage of a per-second job stays cheap. */
export function missedTicks(
  schedule: Schedule,
  since: Date,
  now: Date,
  cap = 10_000,
): MissedTicks | null {
  let first: Date | null = null;
  let last: Date | null = null;
  let count = 0;
  for (let t = schedule.next(since); t && t <= now && count < cap; t = schedule.next(t)) {
    first ??= t;
    last = t;
    count++;
  }
  return first && last ? { count, first, last } : null;
}

/** A job's ticks recorded as missed at a catch-up. */
export interface MissedJob extends MissedTicks {
  job: string;
}

export type CatchUpDecision =
  | { kind: "run"; scheduledAt: Date }
  | { kind: "record-missed"; scheduledAt: Date; reason: string };

export function decideCatchUp(spec: JobSpec, missed: MissedTicks, now: Date): CatchUpDecision {
  const ticks = missed.count === 1 ? "1 tick" : `${missed.count} ticks`;
  const span =
    missed.count === 1
      ? missed.last.toISOString()
      : `${missed.first.toISOString()} … ${missed.last.toISOString()}`;
  if (spec.missed === "run-once") {
    const late = now.getTime() - missed.last.getTime();
    if (spec.startingDeadlineMs === undefined || late <= spec.startingDeadlineMs) {
      return { kind: "run", scheduledAt: missed.last };
    }
    return {
      kind: "record-missed",
      scheduledAt: missed.last,
      reason: `${ticks} missed while no agent ran the job (${span}); the newest is past startingDeadline, so none was run`,
    };
  }
  return {
    kind: "record-missed",
    scheduledAt: missed.last,
    reason: `${ticks} missed while no agent ran the job (${span})`,
  };
}
