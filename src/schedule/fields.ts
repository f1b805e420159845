// The fields of a cron expression (SPEC §1: numbers, ranges, lists, steps, JAN–DEC, SUN–SAT,
// `L` and `#`) read into the sets the wall-clock search walks. gitcron parses them itself:
// cron-parser and its luxon dependency cost ~50 ms to load on every command, and its errors
// had to be parsed again to name the field at fault. Its semantics are kept (tested against it):
// a day field is "restricted" unless it is exactly `*` or `?`, and when both day fields are
// restricted a day matching either fires.

import {
  FIELD_RANGES,
  FIELDS_HINT,
  failField,
  type NormalisedSchedule,
  ScheduleError,
} from "./syntax.js";

export interface DayRule {
  /** Days of the month 1–31, and `L`, the month's last day. */
  readonly monthDays: ReadonlySet<number>;
  readonly lastOfMonth: boolean;
  /** Weekdays 0–6 (Sunday 0), limited to the `nth` of the month when nth > 0 (`FRI#2`). */
  readonly weekdays: ReadonlySet<number>;
  readonly nth: number;
  /** Weekdays whose last occurrence in the month fires (`5L`). */
  readonly lastWeekdays: ReadonlySet<number>;
  readonly monthDaysRestricted: boolean;
  readonly weekdaysRestricted: boolean;
}

export interface CronFields {
  readonly second: readonly number[];
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly month: readonly number[];
  readonly days: DayRule;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAYS_HINT = "days are 0–7 (0 and 7 are Sunday) or SUN–SAT";
const NTH_HINT = "write the second Friday as FRI#2";
/** The most days each month can have (February in a leap year). */
const LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Reads every field; throws ScheduleError naming the first field at fault. */
export function parseCronFields(schedule: NormalisedSchedule): CronFields {
  try {
    return readFields(schedule);
  } catch (err) {
    if (!(err instanceof ScheduleError) || err.hint) throw err;
    const hint = `the fields are: ${schedule.fieldNames.join(" ")}`;
    throw new ScheduleError({ rule: err.rule, message: err.message, hint });
  }
}

/** Parsed fields by field and text. Schedules differ, their fields repeat ("0", "*", "MON-FRI"):
 * validating 10,000 files parses each distinct field once. Parses are never changed. */
const parsedFields = new Map<string, Map<string, unknown>>();
const MAX_PARSED_FIELDS = 5_000;

function remembered<T>(name: string, text: string, parse: (name: string, text: string) => T): T {
  let field = parsedFields.get(name);
  if (!field) {
    field = new Map();
    parsedFields.set(name, field);
  }
  let parsed = field.get(text) as T | undefined;
  if (parsed === undefined) {
    parsed = parse(name, text);
    if (field.size >= MAX_PARSED_FIELDS) field.clear();
    field.set(text, parsed);
  }
  return parsed;
}

function readFields(schedule: NormalisedSchedule): CronFields {
  const { fields } = schedule;
  // Seconds, when given, come first; the other five are always the last five.
  const offset = fields.length - 5;
  const at = (index: number) => fields[offset + index] ?? "*";
  const second = offset === 1 ? remembered("second", fields[0] ?? "0", values) : [0];
  const minute = remembered("minute", at(0), values);
  const hour = remembered("hour", at(1), values);
  const monthDayText = at(2);
  const { monthDays, lastOfMonth } = remembered("day-of-month", monthDayText, monthDayField);
  const month = remembered("month", at(3), values);
  const weekdayText = at(4);
  const { weekdays, lastWeekdays, nth } = remembered("day-of-week", weekdayText, weekdayField);
  const days: DayRule = {
    monthDays,
    lastOfMonth,
    weekdays,
    lastWeekdays,
    nth,
    monthDaysRestricted: !isWildcard(monthDayText),
    weekdaysRestricted: !isWildcard(weekdayText),
  };
  if (days.monthDaysRestricted && !days.weekdaysRestricted && !days.lastOfMonth) {
    const fits = [...days.monthDays].some((d) =>
      month.some((m) => d <= (LONGEST_MONTH[m - 1] ?? 31)),
    );
    if (!fits) {
      throw new ScheduleError({
        rule: "cron.never",
        message: `the schedule never fires: day ${monthDayText} does not occur in month ${at(3)}`,
        hint: 'check the day-of-month and month fields; "L" means the last day of the month',
      });
    }
  }
  return { second, minute, hour, month, days };
}

const isWildcard = (text: string) => text === "*" || text === "?";

/** A field of plain items: numbers, names, ranges, steps, `*`. Sorted, each value once. */
function values(name: string, text: string): number[] {
  const seen = new Set<number>();
  for (const item of items(name, text)) addAll(name, text, seen, item);
  return [...seen].sort((a, b) => a - b);
}

const NO_DAYS: ReadonlySet<number> = new Set();

function monthDayField(name: string, text: string) {
  if (isWildcard(text)) return { monthDays: NO_DAYS, lastOfMonth: false };
  const monthDays = new Set<number>();
  let lastOfMonth = false;
  for (const item of items(name, text)) {
    if (item.toUpperCase() === "L") {
      if (lastOfMonth) failField(name, text, "a value is listed twice");
      lastOfMonth = true;
    } else {
      addAll(name, text, monthDays, item);
    }
  }
  return { monthDays, lastOfMonth };
}

function weekdayField(name: string, text: string) {
  if (isWildcard(text)) return { weekdays: NO_DAYS, lastWeekdays: NO_DAYS, nth: 0 };
  const weekdays = new Set<number>();
  const lastWeekdays = new Set<number>();
  if (text.includes("#")) {
    // One day and its week of the month, alone in the field: "FRI#2".
    const nth = /^([^#,/-]+)#([1-5])$/.exec(text);
    if (!nth) {
      failField(name, text, '"#" takes one day and a week number 1–5, e.g. "FRI#2"', NTH_HINT);
    }
    weekdays.add(single(name, text, nth[1] as string) % 7);
    return { weekdays, lastWeekdays, nth: Number(nth[2]) };
  }
  for (const item of items(name, text)) {
    const last = /^(.*)L$/i.exec(item);
    if (last && !/^[A-Z]{3}$/i.test(item)) {
      if (last[1] === "") {
        failField(
          name,
          text,
          '"L" needs a day before it',
          "write 5L (or FRIL) for the last Friday of the month",
        );
      }
      const day = single(name, text, last[1] as string) % 7;
      if (lastWeekdays.has(day)) failField(name, text, "a value is listed twice", DAYS_HINT);
      lastWeekdays.add(day);
      continue;
    }
    // Sunday may be 0 or 7, but only once: "0,7" is the same day twice.
    const before = weekdays.size;
    const days = new Set<number>();
    addAll(name, text, days, item);
    const sundays = days.has(0) && days.has(7) ? 1 : 0;
    for (const day of days) weekdays.add(day % 7);
    if (weekdays.size - before !== days.size - sundays) {
      failField(name, text, "a value is listed twice", "0 and 7 both mean Sunday: name it once");
    }
  }
  return { weekdays, lastWeekdays, nth: 0 };
}

function items(name: string, text: string): string[] {
  const list = text.split(",");
  if (list.some((item) => item === "")) invalid(name, text);
  return list;
}

/** Adds one item's values: `*`, `?` (day fields), `a`, `a-b`, with an optional `/step`. */
function addAll(name: string, text: string, into: Set<number>, item: string): void {
  const [lo, hi] = FIELD_RANGES[name] ?? [0, 59];
  const parts = item.split("/");
  if (parts.length > 2) invalid(name, text);
  const [span = "", stepText] = parts;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText)) invalid(name, text);
    step = Number(stepText);
    if (step === 0) failField(name, text, "a step must be 1 or more");
  }
  let from: number;
  let to: number;
  if (span === "*" || (span === "?" && name.startsWith("day-"))) {
    [from, to] = [lo, hi];
  } else if (span.includes("-")) {
    const ends = span.split("-");
    if (ends.length !== 2 || ends.some((end) => end === "")) invalid(name, text);
    from = number(name, text, ends[0] as string);
    to = number(name, text, ends[1] as string);
    if (from < lo || to > hi) outside(name, text, `${from}-${to}`);
    if (from > to) {
      failField(
        name,
        text,
        "the range runs backwards",
        "write ranges low to high; for a range across the wrap use a list, e.g. 22-23,0-2",
      );
    }
  } else {
    from = single(name, text, span);
    // "5/15": from 5 to the end of the field, every 15.
    to = stepText === undefined ? from : hi;
  }
  for (let v = from; v <= to; v += step) {
    if (into.has(v)) failField(name, text, "a value is listed twice");
    into.add(v);
  }
}

/** One value within the field's range. */
function single(name: string, text: string, token: string): number {
  const value = number(name, text, token);
  const [lo, hi] = FIELD_RANGES[name] ?? [0, 59];
  if (value < lo || value > hi) outside(name, text, String(value));
  return value;
}

/** A number, or in the month and day-of-week fields a three-letter name. */
function number(name: string, text: string, token: string): number {
  if (/^\d+$/.test(token)) return Number(token);
  if (!/^[A-Z]+$/i.test(token)) invalid(name, text);
  const names = name === "month" ? MONTHS : name === "day-of-week" ? WEEKDAYS : undefined;
  if (!names) {
    // "L" only stands alone in the day-of-month field (not "L-2"); "W" and "LW" are not supported.
    if (/^[LW]+$/i.test(token)) invalid(name, text);
    failField(
      name,
      text,
      "names are allowed only in the month and day-of-week fields",
      FIELDS_HINT,
    );
  }
  const index = names.indexOf(token.toUpperCase());
  if (index === -1) {
    const hint = name === "month" ? "months are 1–12 or JAN–DEC" : DAYS_HINT;
    failField(name, text, `unknown name "${token.toUpperCase()}"`, hint);
  }
  return name === "month" ? index + 1 : index;
}

function outside(name: string, text: string, value: string): never {
  const [lo, hi] = FIELD_RANGES[name] ?? [0, 59];
  failField(
    name,
    text,
    `${value} is outside ${lo}–${hi}`,
    name === "day-of-week" ? DAYS_HINT : undefined,
  );
}

function invalid(name: string, text: string): never {
  failField(
    name,
    text,
    "is not valid: use numbers, ranges (1-5), lists (1,3), steps (*/15) or names",
    FIELDS_HINT,
  );
}
