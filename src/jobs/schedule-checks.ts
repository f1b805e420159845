// Schedule and zone checks, remembered for the life of one load: a repository repeats the
// same few zones and schedules, and each check costs far more than a lookup.

import { checkSchedule, isTimeZone, type ScheduleCheck } from "../schedule/cron.js";
import { longestGapMs } from "../schedule/gaps.js";
import { type SixFieldWarning, sixFieldWarning } from "../schedule/six-fields.js";

export interface ScheduleChecks {
  isTimeZone(tz: string): boolean;
  checkSchedule(expr: string, timezone: string): ScheduleCheck;
  /** Both readings of a valid six-field schedule, their next runs counted from the load's
   * `now`; undefined for five fields and macros. */
  sixFieldWarning(expr: string, timezone: string): SixFieldWarning | undefined;
  /** The longest wait between two runs over the year from `now`; null if it never fires. */
  longestGapMs(expr: string, timezone: string): number | null;
  /** When this load happens: what "next runs" are counted from. */
  readonly now: Date;
}

export function createScheduleChecks(now = new Date()): ScheduleChecks {
  const zones = new Map<string, boolean>();
  const schedules = new Map<string, ScheduleCheck>();
  const sixFields = new Map<string, SixFieldWarning | undefined>();
  const gaps = new Map<string, number | null>();
  const knownZone = (tz: string): boolean => {
    const known = zones.get(tz) ?? isTimeZone(tz);
    zones.set(tz, known);
    return known;
  };
  return {
    now,
    isTimeZone: knownZone,
    checkSchedule(expr, timezone) {
      const key = `${timezone}\n${expr}`;
      const check = schedules.get(key) ?? checkSchedule(expr, timezone, { isTimeZone: knownZone });
      schedules.set(key, check);
      return check;
    },
    sixFieldWarning(expr, timezone) {
      const key = `${timezone}\n${expr}`;
      if (!sixFields.has(key)) sixFields.set(key, sixFieldWarning(expr, timezone, now));
      return sixFields.get(key);
    },
    longestGapMs(schedule, timezone) {
      const key = `${timezone}\n${schedule}`;
      if (!gaps.has(key)) gaps.set(key, longestGapMs({ schedule, timezone }, now));
      return gaps.get(key) ?? null;
    },
  };
}
