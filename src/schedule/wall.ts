// The next wall-clock time that matches a cron expression, on a calendar without zones.
// Wall times are "naive" milliseconds: wallTime(y, m, d, h, min, s) of what the clock shows.
// It replaced cron-parser's iterator, which stepped through luxon dates one unit at a time
// (~300 µs a call) and mishandled zones such as Australia/Lord_Howe.

import type { CronFields, DayRule } from "./fields.js";

/** How far ahead to look before deciding a schedule never fires again. The Gregorian calendar
 * repeats every 400 years (146,097 days, a whole number of weeks), so a schedule that fires at
 * all fires within any 400 years ("FRI#5" in February can go 40 years without one). The bound
 * costs nothing when a fire time is near: the search stops at the first match. */
const SEARCH_YEARS = 400;

export interface WallClockMatcher {
  /** The first matching wall time strictly after `naive`, at whole seconds; null if none. */
  next(naive: number): number | null;
  /** True when every hour of the day has fire times; such schedules follow elapsed time
   * through a repeated hour (as Vixie cron does for wildcard-hour jobs). */
  readonly everyHour: boolean;
}

/** Index v holds the smallest allowed value ≥ v, or -1 when none is left in this unit. */
function nextAllowedTable(values: readonly number[], max: number): Int8Array {
  const allowed = new Set(values);
  const table = new Int8Array(max + 2).fill(-1);
  let next = -1;
  for (let v = max; v >= 0; v--) {
    if (allowed.has(v)) next = v;
    table[v] = next;
  }
  return table;
}

/** The day test: when both day fields are restricted, a day matching either fires (classic cron). */
function dayMatcher(days: DayRule): (y: number, m: number, d: number) => boolean {
  const { monthDaysRestricted, weekdaysRestricted, nth } = days;
  if (!monthDaysRestricted && !weekdaysRestricted) return () => true;
  return (y, m, d) => {
    const dim = daysInMonth(y, m);
    const matchedDom = days.monthDays.has(d) || (days.lastOfMonth && d === dim);
    if (monthDaysRestricted && !weekdaysRestricted) return matchedDom;
    if (matchedDom && monthDaysRestricted) return true;
    const weekday = weekdayOf(y, m, d);
    return (
      (days.weekdays.has(weekday) && (nth <= 0 || Math.ceil(d / 7) === nth)) ||
      // "5L" is the last Friday of the month.
      (days.lastWeekdays.has(weekday) && d + 7 > dim)
    );
  };
}

/** Date.UTC for every year: Date.UTC itself reads years 0–99 as 1900–1999. */
export function wallTime(y: number, m0: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  if (y >= 100) return Date.UTC(y, m0, d, h, mi, s, ms);
  const date = new Date(0);
  date.setUTCFullYear(y, m0, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] ?? 31);
}

/** 0 = Sunday; 1970-01-01 was a Thursday. */
function weekdayOf(y: number, m: number, d: number): number {
  const days = Math.floor(wallTime(y, m - 1, d) / 86_400_000);
  return (((days + 4) % 7) + 7) % 7;
}

export function wallClockMatcher(fields: CronFields): WallClockMatcher {
  const seconds = nextAllowedTable(fields.second, 59);
  const minutes = nextAllowedTable(fields.minute, 59);
  const hours = nextAllowedTable(fields.hour, 23);
  const months = nextAllowedTable(fields.month, 12);
  const dayMatches = dayMatcher(fields.days);
  const everyHour = fields.hour.length === 24;

  function next(naive: number): number | null {
    const start = new Date(Math.floor(naive / 1000) * 1000 + 1000);
    let y = start.getUTCFullYear();
    let mo = start.getUTCMonth() + 1;
    let d = start.getUTCDate();
    let h = start.getUTCHours();
    let mi = start.getUTCMinutes();
    let s = start.getUTCSeconds();
    const lastYear = y + SEARCH_YEARS;
    // Each step either returns or moves to the start of a later unit, so the loop ends.
    while (y <= lastYear) {
      const mo2 = months[mo] ?? -1;
      if (mo2 === -1) {
        [y, mo, d, h, mi, s] = [y + 1, 1, 1, 0, 0, 0];
        continue;
      }
      if (mo2 !== mo) [mo, d, h, mi, s] = [mo2, 1, 0, 0, 0];
      if (d > daysInMonth(y, mo) || !dayMatches(y, mo, d)) {
        [d, h, mi, s] = [d + 1, 0, 0, 0];
        if (d > daysInMonth(y, mo)) [mo, d] = [mo + 1, 1];
        continue;
      }
      const h2 = hours[h] ?? -1;
      if (h2 === -1) {
        [d, h, mi, s] = [d + 1, 0, 0, 0];
        if (d > daysInMonth(y, mo)) [mo, d] = [mo + 1, 1];
        continue;
      }
      if (h2 !== h) [h, mi, s] = [h2, 0, 0];
      const mi2 = minutes[mi] ?? -1;
      if (mi2 === -1) {
        [h, mi, s] = [h + 1, 0, 0];
        continue;
      }
      if (mi2 !== mi) [mi, s] = [mi2, 0];
      const s2 = seconds[s] ?? -1;
      if (s2 === -1) {
        [mi, s] = [mi + 1, 0];
        continue;
      }
      return wallTime(y, mo - 1, d, h, mi, s2);
    }
    return null;
  }

  return { next, everyHour };
}
