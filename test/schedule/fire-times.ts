// Test helper: a schedule's next fire times as the user reads them (ISO 8601 in its zone).

import { nextTimes, parseSchedule, ZoneCache, zoneFormatter } from "../../src/schedule/cron.js";

/** One cache for the whole test file, as the agent shares one for all its jobs. */
const zones = new ZoneCache();

export function fireTimes(expr: string, timezone: string, from: string, n: number): string[] {
  const format = zoneFormatter(timezone, zones);
  return nextTimes(parseSchedule(expr, timezone, { zones }), new Date(from), n).map(format);
}
