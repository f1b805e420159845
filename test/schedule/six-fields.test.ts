// Six fields are seconds first in gitcron and minute … year in supercronic (issue 26, item 1):
// the warning shows both readings with their next runs, and what to write for each.

import { describe, expect, test } from "vitest";
import { fieldCount, sixFieldWarning } from "../../src/schedule/six-fields.js";

const FROM = new Date("2026-05-01T10:00:00Z");

describe("a six-field schedule shows both readings with their next runs", () => {
  test("supercronic's nightly 02:30 is hourly at :02:30 here", () => {
    expect(sixFieldWarning("30 2 * * * *", "UTC", FROM)).toEqual({
      message:
        "six fields mean seconds first: next 2026-05-01T10:02:30+00:00, 2026-05-01T11:02:30+00:00; " +
        "supercronic reads the sixth field as a year: next 2026-05-02T02:30:00+00:00, 2026-05-03T02:30:00+00:00",
      hint: 'add "seconds: true" to keep seconds first; for supercronic\'s reading write five fields: "30 2 * * *"',
    });
  });

  test("the next runs are in the job's zone", () => {
    const warning = sixFieldWarning("30 2 * * * *", "Europe/Amsterdam", FROM);
    expect(warning?.message).toContain("next 2026-05-01T12:02:30+02:00, 2026-05-01T13:02:30+02:00");
    expect(warning?.message).toContain("next 2026-05-02T02:30:00+02:00, 2026-05-03T02:30:00+02:00");
  });

  test("one that fires more than once a minute leads with how often", () => {
    expect(sixFieldWarning("*/10 * * * * *", "UTC", FROM)?.message).toBe(
      "fires every 10 seconds — six fields mean seconds first: " +
        "next 2026-05-01T10:00:10+00:00, 2026-05-01T10:00:20+00:00; " +
        "supercronic reads the sixth field as a year: next 2026-05-01T10:10:00+00:00, 2026-05-01T10:20:00+00:00",
    );
  });

  test("when the year reading is no schedule, it says so; a zero seconds field can be dropped", () => {
    // As minute hour …, "0 30 2 * * MON" has hour 30 and a year "MON".
    expect(sixFieldWarning("0 30 2 * * MON", "UTC", FROM)).toEqual({
      message:
        "six fields mean seconds first: next 2026-05-04T02:30:00+00:00, 2026-05-11T02:30:00+00:00; " +
        "supercronic would read the sixth field as a year, which makes no valid schedule of it",
      hint: 'write five fields for the same runs: "30 2 * * MON", or add "seconds: true" to keep seconds first',
    });
    expect(sixFieldWarning("15 30 2 * * MON", "UTC", FROM)?.hint).toBe(
      'add "seconds: true" to keep seconds first',
    );
  });

  test.each(["30 2 * * *", "@daily", "0 3 * * MON"])("%s has five fields: no warning", (expr) => {
    expect(sixFieldWarning(expr, "UTC", FROM)).toBeUndefined();
  });
});

describe("fieldCount", () => {
  test.each([
    ["30 2 * * *", 5],
    ["@hourly", 5],
    ["0 30 2 * * *", 6],
    ["0 0 3 * * 2027", undefined], // a year: refused, so no count
    ["* *", undefined],
  ])("%s → %s", (expr, count) => {
    expect(fieldCount(expr)).toBe(count);
  });
});
