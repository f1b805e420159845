// Cron schedules: parse once, then answer "when next?" cheaply. The scheduler, the validator,
// `gitcron next` and the GitHub Action all go through this module.

import { parseCronFields } from "./fields.js";
import { fireFrequencyWarning } from "./frequency.js";
import { normaliseExpression, ScheduleError } from "./syntax.js";
import { type WallClockMatcher, wallClockMatcher } from "./wall.js";
import {
  gapEndWall,
  instantAfterGap,
  instantsShowing,
  isTimeZone,
  type Zone,
  ZoneCache,
} from "./zone.js";

export { ScheduleError } from "./syntax.js";
export {
  formatInZone,
  isTimeZone,
  parseTimeInZone,
  readableTime,
  ZoneCache,
  zoneFormatter,
} from "./zone.js";

const DAY_MS = 86_400_000;

export type ScheduleCheck =
  | { ok: true; warning?: { message: string; hint?: string } }
  | { ok: false; rule: string; message: string; hint?: string };

export interface Schedule {
  readonly expr: string;
  readonly timezone: string;
  /** The first fire time strictly after `after`, or null when there is none. */
  next(after: Date): Date | null;
}

export interface ParseOptions {
  /** Share one cache across many schedules (the agent's 20,000 jobs live in a few zones). */
  zones?: ZoneCache;
}

/** Parses a schedule for one zone; throws ScheduleError with rule, message and hint. */
export function parseSchedule(
  expr: string,
  timezone: string,
  options: ParseOptions = {},
): Schedule {
  const zone = (options.zones ?? new ZoneCache()).find(timezone);
  if (!zone) throw unknownZone(timezone);
  const matcher = wallClockMatcher(parseCronFields(normaliseExpression(expr)));
  return {
    expr,
    timezone,
    next(after: Date): Date | null {
      const instant = nextInstant(matcher, zone, after.getTime());
      return instant === null ? null : new Date(instant);
    },
  };
}

function unknownZone(timezone: string): ScheduleError {
  return new ScheduleError({
    rule: "cron.timezone",
    message: `unknown time zone "${timezone}"`,
    hint: 'use an IANA zone name such as "Europe/Amsterdam" or "UTC"',
  });
}

/**
 * SPEC §1's time semantics on top of the wall-clock search: a wall time skipped by a DST jump
 * fires once, within the hour after the gap (shifted forward by the jump, less whole hours when
 * the jump is longer than one), unless a real fire time within the jump past the gap stands for
 * it; a repeated wall time fires once, at its first occurrence —
 * except for schedules with fire times in every hour, which follow elapsed time through the
 * repeated hour so no hourly tick is lost.
 */
function nextInstant(matcher: WallClockMatcher, zone: Zone, after: number): number | null {
  // A fire time t > after shows a wall time of at least after + (the smallest offset near
  // after): a later, smaller offset (the clock going back) reaches wall times before `after`'s.
  const smallestOffset = Math.min(
    zone.offsetAt(after - DAY_MS),
    zone.offsetAt(after),
    zone.offsetAt(after + DAY_MS),
  );
  let wall = matcher.next(after + smallestOffset);
  let best = Number.POSITIVE_INFINITY;
  let largestOffset = Number.POSITIVE_INFINITY;
  while (wall !== null) {
    // Later wall times map to instants no earlier than wall - largestOffset: stop when that
    // cannot beat the best found. Without a transition nearby this ends after one wall time.
    if (wall - largestOffset >= best) break;
    for (const instant of firingInstants(matcher, zone, wall)) {
      if (instant > after && instant < best) {
        best = instant;
        largestOffset = Math.max(zone.offsetAt(best - DAY_MS), zone.offsetAt(best + DAY_MS));
      }
    }
    // Later wall times are larger still: when this one cannot beat the best, none can, and
    // the search for the next wall time (up to a year ahead for a yearly job) is saved.
    if (wall - largestOffset >= best) break;
    wall = matcher.next(wall);
  }
  return best === Number.POSITIVE_INFINITY ? null : best;
}

function firingInstants(matcher: WallClockMatcher, zone: Zone, wall: number): number[] {
  const { instants, offsetBefore, offsetAfter } = instantsShowing(zone, wall);
  if (instants.length === 0) {
    // A real fire time past the gap, no further from `wall` than the jump, stands for this
    // one: a gap as long as a step of the schedule (Pacific/Apia skipped 2011-12-30 whole)
    // must not add a run ("0 12 * * *" would fire at 00:00 and at 12:00 on the 31st).
    const real = matcher.next(gapEndWall(zone, wall, offsetBefore) - 1000);
    if (real !== null && real <= wall + (offsetAfter - offsetBefore)) return [];
    return [instantAfterGap(zone, wall, offsetBefore)];
  }
  return matcher.everyHour ? instants : instants.slice(0, 1);
}

/** The next `n` fire times strictly after `from`, fewer if the schedule runs out. */
export function nextTimes(schedule: Schedule, from: Date, n: number): Date[] {
  const times: Date[] = [];
  let cursor = n > 0 ? schedule.next(from) : null;
  while (cursor) {
    times.push(cursor);
    cursor = times.length < n ? schedule.next(cursor) : null;
  }
  return times;
}

export interface CheckOptions {
  /** Answers "is this a zone?"; pass a memoised one when checking many schedules, since each
   * plain isTimeZone call builds an Intl formatter (~0.3 ms, most of a check's cost). */
  isTimeZone?: (tz: string) => boolean;
}

/** Validation's view: refused with a rule, or accepted with perhaps a warning. */
export function checkSchedule(
  expr: string,
  timezone: string,
  options: CheckOptions = {},
): ScheduleCheck {
  try {
    if (!(options.isTimeZone ?? isTimeZone)(timezone)) throw unknownZone(timezone);
    const normalised = normaliseExpression(expr);
    const fields = parseCronFields(normalised);
    // Only a seconds field can fire more than once a minute; the zone does not change that.
    const warning =
      normalised.fields.length === 6
        ? fireFrequencyWarning(wallClockMatcher(fields), normalised)
        : undefined;
    return warning ? { ok: true, warning } : { ok: true };
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    return { ok: false, rule: err.rule, message: err.message, hint: err.hint };
  }
}
