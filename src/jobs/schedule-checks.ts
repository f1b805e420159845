// Schedule and zone checks, remembered for the life of one load: a repository repeats the
// same few zones and schedules, and each check costs far more than a lookup.

import { checkSchedule, isTimeZone, type ScheduleCheck } from "../schedule/cron.js";

export interface ScheduleChecks {
  isTimeZone(tz: string): boolean;
  checkSchedule(expr: string, timezone: string): ScheduleCheck;
}

export function createScheduleChecks(): ScheduleChecks {
  const zones = new Map<string, boolean>();
  const schedules = new Map<string, ScheduleCheck>();
  const knownZone = (tz: string): boolean => {
    const known = zones.get(tz) ?? isTimeZone(tz);
    zones.set(tz, known);
    return known;
  };
  return {
    isTimeZone: knownZone,
    checkSchedule(expr, timezone) {
      const key = `${timezone}\n${expr}`;
      const check = schedules.get(key) ?? checkSchedule(expr, timezone, { isTimeZone: knownZone });
      schedules.set(key, check);
      return check;
    },
  };
}
