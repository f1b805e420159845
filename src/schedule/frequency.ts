// The classic cron mistake: a sixth field read as seconds runs a job 60 times too often.

import type { Schedule } from "./cron.js";
import { normaliseExpression } from "./syntax.js";

/** How many fire times to look at; enough to see a burst such as "0-9 0 3 * * *". */
const WINDOW = 300;
/** A fixed start keeps the verdict the same on every run of the validator. */
const WINDOW_START = new Date("2026-01-01T00:00:00Z");

export interface FrequencyWarning {
  message: string;
  hint?: string;
}

/** A warning when the schedule ever fires less than a minute after its previous fire time. */
export function fireFrequencyWarning(schedule: Schedule): FrequencyWarning | undefined {
  const gaps = fireGapsSeconds(schedule);
  if (gaps.length === 0) return undefined;
  const smallest = Math.min(...gaps);
  if (smallest >= 60) return undefined;
  const uniform = gaps.every((g) => g === smallest);
  const every = smallest === 1 ? "second" : `${smallest} seconds`;
  const message = `${uniform ? "fires every" : "fires as often as every"} ${every} — six fields mean seconds first`;
  const minutesVersion = normaliseExpression(schedule.expr).fields.slice(0, 5).join(" ");
  return {
    message,
    hint: `for a schedule in minutes write five fields, e.g. "${minutesVersion}"`,
  };
}

function fireGapsSeconds(schedule: Schedule): number[] {
  const gaps: number[] = [];
  let previous = schedule.next(WINDOW_START);
  for (let i = 0; previous && i < WINDOW; i++) {
    const current = schedule.next(previous);
    if (!current) break;
    gaps.push(Math.round((current.getTime() - previous.getTime()) / 1000));
    previous = current;
  }
  return gaps;
}
