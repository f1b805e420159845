// Cron syntax of SPEC §1, each form with the dates that prove it (2026-01-01 is a Thursday),
// and every refusal with its rule and a message that names the field at fault.

import { CronExpressionParser } from "cron-parser";
import { describe, expect, test } from "vitest";
import {
  checkSchedule,
  nextTimes,
  parseSchedule,
  type Schedule,
  ScheduleError,
} from "../../src/schedule/cron.js";
import { fireTimes } from "./fire-times.js";

const NEW_YEAR = "2026-01-01T00:00:00Z";

describe("five fields, or six with seconds first, fire when a user expects", () => {
  test.each([
    ["0 3 * * MON", "2026-01-05T03:00:00+00:00", "2026-01-12T03:00:00+00:00"],
    ["0 0 * * 0", "2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"],
    ["0 0 * * 7", "2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"], // 7 is Sunday too
    ["0 0 * * SUN", "2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"],
    ["0 0 * * 5-7", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"],
    ["0 0 * * SAT-SUN", "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00"], // a range may end on SUN
    ["0 0 * * fri-sun", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"],
    ["0 0 * dec *", "2026-12-01T00:00:00+00:00", "2026-12-02T00:00:00+00:00"], // names in any case
    ["0 12 * JAN-MAR MON-FRI", "2026-01-01T12:00:00+00:00", "2026-01-02T12:00:00+00:00"],
    ["0 0 L * *", "2026-01-31T00:00:00+00:00", "2026-02-28T00:00:00+00:00"], // last day of the month
    ["0 0 3,L * *", "2026-01-03T00:00:00+00:00", "2026-01-31T00:00:00+00:00"],
    ["0 0 * * 5#2", "2026-01-09T00:00:00+00:00", "2026-02-13T00:00:00+00:00"], // second Friday
    ["0 0 * * FRI#2", "2026-01-09T00:00:00+00:00", "2026-02-13T00:00:00+00:00"],
    ["0 0 * * 1L", "2026-01-26T00:00:00+00:00", "2026-02-23T00:00:00+00:00"], // last Monday
    ["0 0 13 * FRI", "2026-01-02T00:00:00+00:00", "2026-01-09T00:00:00+00:00"], // day or weekday
    ["0 0 ? * MON", "2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00"],
    ["*/15 9-17 * * *", "2026-01-01T09:00:00+00:00", "2026-01-01T09:15:00+00:00"],
    ["5/15 * * * *", "2026-01-01T00:05:00+00:00", "2026-01-01T00:20:00+00:00"],
    ["0 0 1-5/2 * *", "2026-01-03T00:00:00+00:00", "2026-01-05T00:00:00+00:00"],
    ["0 0 1,15 * *", "2026-01-15T00:00:00+00:00", "2026-02-01T00:00:00+00:00"], // strictly after
    ["0 0 29 2 *", "2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00"], // leap days only
    ["0 30 4 * * *", "2026-01-01T04:30:00+00:00", "2026-01-02T04:30:00+00:00"], // seconds first
    ["15 30 4 * * *", "2026-01-01T04:30:15+00:00", "2026-01-02T04:30:15+00:00"],
    ["  0  3 * * *  ", "2026-01-01T03:00:00+00:00", "2026-01-02T03:00:00+00:00"],
  ])("%s", (expr, first, second) => {
    expect(fireTimes(expr, "UTC", NEW_YEAR, 2)).toEqual([first, second]);
    expect(checkSchedule(expr, "UTC")).toEqual({ ok: true });
  });

  test("a rare date is found decades ahead: the fifth Friday of February", () => {
    // It needs a leap year whose February starts on a Friday: 2036, then 2064.
    expect(fireTimes("0 0 * 2 FRI#5", "UTC", NEW_YEAR, 2)).toEqual([
      "2036-02-29T00:00:00+00:00",
      "2064-02-29T00:00:00+00:00",
    ]);
  });

  test("nextTimes stops early when the schedule runs out", () => {
    const twice: Schedule = {
      expr: "stub",
      timezone: "UTC",
      next: (after) =>
        after.getUTCFullYear() < 2028 ? new Date(Date.UTC(after.getUTCFullYear() + 1, 0)) : null,
    };
    expect(nextTimes(twice, new Date(NEW_YEAR), 5).map((d) => d.getUTCFullYear())).toEqual([
      2027, 2028,
    ]);
    expect(nextTimes(twice, new Date(NEW_YEAR), 1)).toHaveLength(1);
  });
});

describe("the wall-clock search agrees with cron-parser's own iterator on a calendar without zones", () => {
  test.each([
    "0 3 * * MON",
    "*/7 */5 * * *",
    "0 0 L * *",
    "0 12 * * 5#3",
    "0 6 * * 0L",
    "0 0 13 * FRI",
    "0 0 */10 */2 *",
    "30 8 1-7 * MON",
    "0 0 31 * *",
    "*/20 0 9 * * 1-5",
  ])("%s for 400 fire times", (expr) => {
    const theirs = CronExpressionParser.parse(expr, { tz: "UTC", currentDate: new Date(NEW_YEAR) });
    const ours = parseSchedule(expr, "UTC");
    let at = new Date(NEW_YEAR);
    for (let i = 0; i < 400; i++) {
      const next = ours.next(at);
      expect(next?.toISOString()).toBe(theirs.next().toISOString());
      at = next as Date;
    }
  });
});

describe("refusals carry a rule and say what is wrong in the user's words", () => {
  test.each([
    // Years: the stray sixth (or seventh) field.
    ["0 0 3 * * 2027", "cron.years", /years are not supported: the last field "2027"/],
    ["0 3 * * * 2026", "cron.years", /years are not supported/],
    ["0 3 * * * 2026-2030", "cron.years", /years are not supported/],
    ["0 0 3 * * ? 2027", "cron.years", /years are not supported/],
    // Field counts.
    ["* * * * * * *", "cron.fields", /has 7 fields; gitcron takes five, or six with seconds first/],
    ["* * *", "cron.fields", /has 3 fields/],
    ["0", "cron.fields", /has 1 field;/],
    ["", "cron.syntax", /the schedule is empty/],
    // Values and ranges, naming the field.
    ["61 * * * *", "cron.syntax", /^minute field "61": 61 is outside 0–59$/],
    ["0 24 * * *", "cron.syntax", /^hour field "24": 24 is outside 0–23$/],
    ["0 0 0 * *", "cron.syntax", /^day-of-month field "0": 0 is outside 1–31$/],
    ["0 0 * 13 *", "cron.syntax", /^month field "13": 13 is outside 1–12$/],
    ["0 0 * * 8", "cron.syntax", /^day-of-week field "8": 8 is outside 0–7$/],
    ["60 0 0 * * *", "cron.syntax", /^second field "60"/],
    ["0 1-70 * * *", "cron.syntax", /^hour field "1-70": 1-70 is outside 0–23$/],
    ["0 0 5-1 * *", "cron.syntax", /day-of-month field "5-1": the range runs backwards/],
    ["*/0 * * * *", "cron.syntax", /a step must be 1 or more/],
    ["*/90 * * * *", "cron.syntax", /a step of 90 is wider than 0–59, so it fires only at 0/],
    ["0 0 * * 0,7", "cron.syntax", /day-of-week field "0,7": a value is listed twice/],
    // Names.
    ["0 3 * * FOO", "cron.syntax", /day-of-week field "FOO": unknown name "FOO"/],
    ["0 0 * JANUARY *", "cron.syntax", /month field "JANUARY"/],
    [
      "0 FEB * * *",
      "cron.syntax",
      /hour field "FEB": names are allowed only in the month and day-of-week fields/,
    ],
    ["a b c d e", "cron.syntax", /minute field "a"/],
    // Special characters.
    ["0 0 * * 5#6", "cron.syntax", /"#" takes one day and a week number 1–5/],
    ["0 0 * * 5#2,1", "cron.syntax", /"#" takes one day and a week number 1–5/],
    ["H * * * *", "cron.syntax", /"H" \(a hashed value\) is not supported/],
    ["0 0 15W * *", "cron.syntax", /day-of-month field "15W"/],
    // Dates that never come.
    ["0 0 30 2 *", "cron.never", /never fires: day 30 does not occur in month 2/],
    ["0 0 31 4,6 *", "cron.never", /never fires/],
    // Zones.
    ["0 3 * * *", "cron.timezone", /unknown time zone "Mars\/Olympus"/, "Mars/Olympus"],
    ["0 3 * * *", "cron.timezone", /unknown time zone "\+01:00"/, "+01:00"],
  ])("%s → %s", (expr, rule, message, tz = "UTC") => {
    const check = checkSchedule(expr, tz);
    expect(check).toMatchObject({ ok: false, rule });
    if (check.ok) return;
    expect(check.message).toMatch(message);
    expect(check.message).not.toMatch(/NaN|Constraint error|Validation error|Invalid characters/);
    expect(check.hint ?? "").not.toMatch(/NaN/);
  });

  test("every refusal that can be fixed by rewriting says how, in a hint", () => {
    for (const expr of [
      "0 0 3 * * 2027",
      "* * * * * * *",
      "0 3 * * FOO",
      "0 0 * 13 FRI#7",
      "@reboot",
    ]) {
      const check = checkSchedule(expr, "UTC");
      expect(check.ok ? "" : check.hint).toMatch(/\w+/);
    }
  });

  test("parseSchedule throws the same refusal as a ScheduleError", () => {
    expect(() => parseSchedule("0 0 3 * * 2027", "UTC")).toThrow(ScheduleError);
    try {
      parseSchedule("0 0 3 * * 2027", "UTC");
    } catch (err) {
      expect(err).toMatchObject({
        rule: "cron.years",
        hint: expect.stringContaining("remove the year"),
      });
    }
  });
});
