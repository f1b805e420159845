// The seven macros of SPEC §1 (gitcron maps all seven itself, @midnight included),
// each with the dates that prove it, and the macros gitcron refuses. 2026-01-01 is a Thursday.

import { describe, expect, test } from "vitest";
import { checkSchedule } from "../../src/schedule/cron.js";
import { describeSchedule } from "../../src/schedule/describe.js";
import { fireTimes } from "./fire-times.js";

const NEW_YEAR = "2026-01-01T00:00:00Z";

describe("each macro fires as its five-field spelling", () => {
  test.each([
    ["@yearly", "2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00"],
    ["@annually", "2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00"],
    ["@monthly", "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"],
    ["@weekly", "2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"], // Sundays
    ["@daily", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"],
    ["@midnight", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"],
    ["@hourly", "2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"],
    ["@DAILY", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"], // any case
    ["  @hourly ", "2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"],
  ])("%s", (macro, first, second) => {
    expect(fireTimes(macro, "UTC", NEW_YEAR, 2)).toEqual([first, second]);
    expect(checkSchedule(macro, "UTC")).toEqual({ ok: true });
  });

  test("macros are wall-clock times in the job's zone", () => {
    expect(fireTimes("@daily", "Europe/Amsterdam", NEW_YEAR, 2)).toEqual([
      "2026-01-02T00:00:00+01:00",
      "2026-01-03T00:00:00+01:00",
    ]);
    // Through the 2026-03-29 jump @hourly keeps one tick an hour.
    expect(fireTimes("@hourly", "Europe/Amsterdam", "2026-03-29T00:30:00Z", 2)).toEqual([
      "2026-03-29T03:00:00+02:00",
      "2026-03-29T04:00:00+02:00",
    ]);
  });
});

describe("macros outside SPEC §1 are refused with the list of those that work", () => {
  test.each([
    ["@reboot", /gitcron starts jobs on a schedule only/],
    ["@every 5m", /use one of @yearly @annually @monthly @weekly @daily @midnight @hourly/],
    ["@minutely", /use one of/], // cron-parser knows it; SPEC §1 does not
    ["@weekdays", /use one of/],
    ["@", /use one of/],
  ])("%s", (macro, hint) => {
    const check = checkSchedule(macro, "UTC");
    expect(check).toMatchObject({
      ok: false,
      rule: "cron.macro",
      message: `unknown macro "${macro}"`,
    });
    expect(check.ok ? "" : check.hint).toMatch(hint);
  });
});

describe("schedules in words, for the Action's summary and the status README", () => {
  test.each([
    ["0 3 * * MON", "At 03:00 AM, only on Monday"],
    ["@weekly", "At 12:00 AM, only on Sunday"],
    ["@midnight", "At 12:00 AM"],
    ["*/10 * * * * *", "Every 10 seconds"],
    ["0 0 L * *", "At 12:00 AM, on the last day of the month"],
    ["0 0 * * 5#2", "At 12:00 AM, on the second Friday of the month"],
  ])("%s → %s", (expr, words) => {
    expect(describeSchedule(expr)).toBe(words);
  });

  test("an invalid schedule is refused with gitcron's error, not cronstrue's", () => {
    expect(() => describeSchedule("0 0 3 * * 2027")).toThrow(/years are not supported/);
  });
});
