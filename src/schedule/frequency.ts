// The classic cron mistake: a sixth field read as seconds runs a job 60 times too often.

import type { NormalisedSchedule } from "./syntax.js";
import type { WallClockMatcher } from "./wall.js";

/** How many fire times to look at; enough to see a burst such as "0-9 0 3 * * *". */
const WINDOW = 300;
/** A fixed start keeps the verdict the same on every run of the validator. */
const WINDOW_START = Date.UTC(2026, 0, 1);

export interface FrequencyWarning {
  message: string;
  hint?: string;
}

/** A warning when the schedule ever fires less than a minute after its previous fire time. */
export function fireFrequencyWarning(
  matcher: WallClockMatcher,
  normalised: NormalisedSchedule,
): FrequencyWarning | undefined {
  const gaps = fireGapsSeconds(matcher);
  if (gaps.length === 0) return undefined;
  const smallest = Math.min(...gaps);
  if (smallest >= 60) return undefined;
  const uniform = gaps.every((g) => g === smallest);
  const every = smallest === 1 ? "second" : `${smallest} seconds`;
  return {
    message: `${uniform ? "fires every" : "fires as often as every"} ${every} — six fields mean seconds first`,
    hint: `for a schedule in minutes write five fields, e.g. "${normalised.fields.slice(0, 5).join(" ")}"`,
  };
}

/** Gaps in wall-clock time: a DST jump does not make a schedule fire more often. */
function fireGapsSeconds(matcher: WallClockMatcher): number[] {
  const gaps: number[] = [];
  let previous = matcher.next(WINDOW_START);
  for (let i = 0; previous !== null && i < WINDOW; i++) {
    const current: number | null = matcher.next(previous);
    if (current === null) break;
    gaps.push(Math.round((current - previous) / 1000));
    previous = current;
  }
  return gaps;
}
