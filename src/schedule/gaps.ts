// The longest wait between two fire times of a schedule in its zone: what `expectSuccessWithin:
// auto` is made of (src/notify/window.ts), and what validate compares a written one against.

import { parseSchedule, type ZoneCache } from "./cron.js";

const HOUR_MS = 3_600_000;
const YEAR_MS = 366 * 24 * HOUR_MS;
/** Fire times followed one by one, at most: a minutely schedule has 525,600 a year. */
const EXACT_FIRES = 100_000;
/** Past that, `next(t) − t` is sampled at this step. */
const SAMPLE_STEP_MS = 15 * 60_000;

/** What `auto` allows past the longest gap: the run's own time, its timeout or else an hour. */
export const runAllowanceMs = (timeoutMs: number | undefined): number => timeoutMs ?? HOUR_MS;

/** The longest wait between two fire times in [from, from + a year]; null if it never fires. */
export function longestGapMs(
  spec: { schedule: string; timezone: string },
  from: Date,
  zones?: ZoneCache,
): number | null {
  const schedule = parseSchedule(spec.schedule, spec.timezone, zones ? { zones } : {});
  const end = from.getTime() + YEAR_MS;
  let previous = schedule.next(from);
  if (!previous) return null;
  let longest = 0;
  for (let fires = 0; fires < EXACT_FIRES && previous.getTime() < end; fires++) {
    const next = schedule.next(previous);
    if (!next) return longest || null;
    longest = Math.max(longest, next.getTime() - previous.getTime());
    previous = next;
  }
  // A dense schedule: sample the rest of the year. Where a sample waits longer than any gap
  // seen so far, the fires just before it are walked to measure that gap exactly.
  for (let t = previous.getTime(); t < end; t += SAMPLE_STEP_MS) {
    const next = schedule.next(new Date(t));
    if (!next) break;
    if (next.getTime() - t <= longest) continue;
    let before: Date | null = null;
    for (let f = schedule.next(new Date(t - SAMPLE_STEP_MS)); f && f.getTime() <= t; ) {
      before = f;
      f = schedule.next(f);
    }
    longest = Math.max(longest, next.getTime() - (before?.getTime() ?? t));
  }
  return longest;
}
