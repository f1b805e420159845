// Cron schedules: parse once, then answer "when next?" cheaply. The scheduler, the validator,
// `gitcron next` and the GitHub Action all go through this module.

import { type CronExpression, CronExpressionParser } from "cron-parser";
import { fireFrequencyWarning } from "./frequency.js";
import { explainParseError, normaliseExpression, ScheduleError } from "./syntax.js";
import { isTimeZone } from "./zone.js";

export { describeSchedule } from "./describe.js";
export { ScheduleError } from "./syntax.js";
export { formatInZone, isTimeZone, zoneFormatter } from "./zone.js";

/** cron-parser's message when its search gives up; it does not export the constant. */
const SEARCH_GAVE_UP = "Invalid expression, loop limit exceeded";

export type ScheduleCheck =
  | { ok: true; warning?: { message: string; hint?: string } }
  | { ok: false; rule: string; message: string; hint?: string };

export interface Schedule {
  readonly expr: string;
  readonly timezone: string;
  /** The first fire time strictly after `after`, or null when there is none. */
  next(after: Date): Date | null;
}

/** Parses a schedule for one zone; throws ScheduleError with rule, message and hint. */
export function parseSchedule(expr: string, timezone: string): Schedule {
  if (!isTimeZone(timezone)) {
    throw new ScheduleError({
      rule: "cron.timezone",
      message: `unknown time zone "${timezone}"`,
      hint: 'use an IANA zone name such as "Europe/Amsterdam" or "UTC"',
    });
  }
  const normalised = normaliseExpression(expr);
  let cron: CronExpression;
  try {
    cron = CronExpressionParser.parse(normalised.source, { tz: timezone });
  } catch (err) {
    throw new ScheduleError(explainParseError(normalised, err));
  }
  // The parsed fields are kept and the iterator is moved with reset(): re-parsing the
  // expression on every call costs several times more (see the report's measurements).
  return {
    expr,
    timezone,
    next(after: Date): Date | null {
      cron.reset(after);
      try {
        return cron.next().toDate();
      } catch (err) {
        // A pattern such as "0 0 30 2 *" in a list with impossible days can outrun the search.
        if (err instanceof Error && err.message === SEARCH_GAVE_UP) return null;
        throw err;
      }
    },
  };
}

/** The next `n` fire times strictly after `from`, fewer if the schedule runs out. */
export function nextTimes(schedule: Schedule, from: Date, n: number): Date[] {
  const times: Date[] = [];
  let cursor = schedule.next(from);
  while (cursor && times.length < n) {
    times.push(cursor);
    cursor = times.length < n ? schedule.next(cursor) : null;
  }
  return times;
}

/** Validation's view: refused with a rule, or accepted with perhaps a warning. */
export function checkSchedule(expr: string, timezone: string): ScheduleCheck {
  let schedule: Schedule;
  try {
    schedule = parseSchedule(expr, timezone);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    return { ok: false, rule: err.rule, message: err.message, hint: err.hint };
  }
  const warning = fireFrequencyWarning(schedule);
  return warning ? { ok: true, warning } : { ok: true };
}
