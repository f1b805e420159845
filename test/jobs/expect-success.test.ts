// An expectSuccessWithin no longer than the schedule's longest wait is late before every next
// run, however well the job does (issue 26, item 9): validate warns and says what to write.

import { describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { createScheduleChecks } from "../../src/jobs/schedule-checks.js";

// A fixed "now": the longest wait is counted over the year from it (DST included).
const NOW = new Date("2026-12-01T10:00:00Z");
const parse = (text: string) =>
  parseJobFile(`image: alpine:3\n${text}`, "job.yaml", {
    policy: defaultPolicy(),
    defaultTimezone: "UTC",
    schedules: createScheduleChecks(NOW),
  });

describe("expectSuccessWithin shorter than the wait between runs is a warning", () => {
  test.each([
    // schedule, zone, within, timeout, how it compares, the wait, what to write
    ["0 3 * * MON", "UTC", "3m", undefined, "shorter", "7d", "7d1h"],
    ["*/5 * * * *", "UTC", "4m", undefined, "shorter", "5m", "1h5m"],
    ["0 9 * * MON-FRI", "UTC", "1d", "15m", "shorter", "3d", "3d15m"],
    // Amsterdam's 25-hour day: 24h is late once a year, on the day the clocks go back.
    ["30 2 * * *", "Europe/Amsterdam", "24h", "20m", "shorter", "1d1h", "1d1h20m"],
    // As long as the wait is still too short: the run itself takes time.
    ["0 3 * * *", "UTC", "24h", undefined, "no longer", "1d", "1d1h"],
  ])("%s in %s with %s (timeout %s)", (schedule, zone, within, timeout, is, wait, write) => {
    const text = `schedule: "${schedule}"\ntimezone: ${zone}\nexpectSuccessWithin: ${within}\n${
      timeout ? `timeout: ${timeout}\n` : ""
    }`;
    const { spec, issues } = parse(text);
    expect(spec).toBeDefined(); // a warning: the job still runs
    expect(issues).toEqual([
      expect.objectContaining({
        severity: "warning",
        rule: "expectSuccessWithin.short",
        line: 4,
        col: 22,
        message: expect.stringContaining(
          `expectSuccessWithin ${within} is ${is} than the longest wait between two runs over the next year (${wait})`,
        ),
        hint: `allow that wait and the run's time: expectSuccessWithin: ${write}, or auto, which works it out from the schedule`,
      }),
    ]);
  });

  test.each([
    ['schedule: "0 3 * * MON"\nexpectSuccessWithin: 7d1h\n'],
    ['schedule: "0 3 * * *"\nexpectSuccessWithin: 26h\n'],
    ['schedule: "* * * * *"\nexpectSuccessWithin: 10m\n'],
    ['schedule: "0 3 * * MON"\nexpectSuccessWithin: auto\n'],
    // Not a duration, or a schedule that does not parse: those have their own errors.
    ['schedule: "0 3 * * MON"\nexpectSuccessWithin: soon\n', "schema.pattern"],
    ['schedule: "0 25 * * *"\nexpectSuccessWithin: 3m\n', "cron.syntax"],
  ])("no such warning for %j", (text, error?: string) => {
    expect(parse(text).issues.map((i) => i.rule)).toEqual(error ? [error] : []);
  });
});
