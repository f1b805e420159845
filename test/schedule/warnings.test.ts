// A stray sixth field runs a job 60 times too often, so anything that fires more than once a
// minute is a warning that says how often, in seconds (SPEC §1).

import { describe, expect, test } from "vitest";
import { checkSchedule } from "../../src/schedule/cron.js";

describe("a schedule that fires more than once a minute is a warning with the actual gap", () => {
  test.each([
    ["* * * * * *", "fires every second — six fields mean seconds first", '"* * * * *"'],
    ["*/10 * * * * *", "fires every 10 seconds — six fields mean seconds first", '"*/10 * * * *"'],
    ["0,30 * * * * *", "fires every 30 seconds — six fields mean seconds first", '"0,30 * * * *"'],
    [
      "*/5 0 3 * * *",
      "fires as often as every 5 seconds — six fields mean seconds first",
      '"*/5 0 3 * *"',
    ],
    // A burst once a day is still a burst.
    [
      "0-9 0 3 * * *",
      "fires as often as every second — six fields mean seconds first",
      '"0-9 0 3 * *"',
    ],
    [
      "0,45 0 3 * * MON",
      "fires as often as every 45 seconds — six fields mean seconds first",
      '"0,45 0 3 * *"',
    ],
  ])("%s", (expr, message, fiveFields) => {
    const check = checkSchedule(expr, "UTC");
    expect(check).toEqual({
      ok: true,
      warning: { message, hint: expect.stringContaining(fiveFields) },
    });
  });

  test("the zone does not change the verdict, DST jumps included", () => {
    expect(checkSchedule("*/10 * * * * *", "Europe/Amsterdam")).toEqual(
      checkSchedule("*/10 * * * * *", "UTC"),
    );
    expect(checkSchedule("30 * * * * *", "Australia/Lord_Howe")).toEqual({ ok: true });
  });
});

describe("once a minute or less often is no warning", () => {
  test.each([
    "* * * * *", // every minute: five fields can do no more
    "30 * * * * *", // second 30 of every minute
    "0 */5 * * * *",
    "0 0 3 * * *",
    "0 0,1 3 * * *", // 03:00:00 and 03:01:00, a minute apart
    "@hourly",
    "0 3 * * MON",
  ])("%s", (expr) => {
    expect(checkSchedule(expr, "UTC")).toEqual({ ok: true });
  });
});
