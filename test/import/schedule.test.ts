// Other tools' schedules read as they read them: supercronic's seven and six fields (seconds and
// year), robfig/cron's optional seconds and @every, a CRON_TZ prefix.

import { describe, expect, test } from "vitest";
import { fromRobfig, fromSupercronic, splitCrontabLine } from "../../src/import/schedule.js";

describe("a crontab line is split as supercronic splits it", () => {
  test.each([
    ["*/1 * * * * echo hello", "*/1 * * * *", "echo hello"],
    ["*/2 * * * * * * ls 2>/dev/null", "*/2 * * * * * *", "ls 2>/dev/null"],
    ["30 2 * * * * backup.sh", "30 2 * * * *", "backup.sh"],
    ["0 3 * * * 2027 once.sh", "0 3 * * * 2027", "once.sh"],
    ["* * * * * sleep 5", "* * * * *", "sleep 5"],
    ["@hourly echo  hi", "@hourly", "echo  hi"],
  ])("%s", (line, schedule, command) => {
    expect(splitCrontabLine(line)).toMatchObject({ schedule, command });
  });

  test("a line with no command, or no schedule, is none", () => {
    expect(splitCrontabLine("*/5 * * * *")).toBeUndefined();
    expect(splitCrontabLine("backup every night")).toBeUndefined();
  });
});

describe("supercronic's fields become gitcron's", () => {
  test.each([
    ["*/1 * * * *", { schedule: "*/1 * * * *" }],
    ["*/2 * * * * * *", { schedule: "*/2 * * * * *", seconds: true }],
    ["0 30 2 * * * *", { schedule: "30 2 * * *" }],
    ["30 2 * * * *", { schedule: "30 2 * * *" }],
    ["30 2 * * * ?", { schedule: "30 2 * * *" }],
  ])("%s", (schedule, expected) => {
    const converted = fromSupercronic(schedule.split(" "));
    expect(converted).toMatchObject(expected);
    expect("seconds" in converted).toBe("seconds" in expected);
  });

  test("a year other than * is refused: gitcron has no years", () => {
    expect(fromSupercronic("0 3 * * * 2027".split(" "))).toMatchObject({
      refused: { rule: "import.schedule", message: expect.stringContaining('year field "2027"') },
    });
  });
});

describe("robfig/cron's schedules (Ofelia, Kubernetes) become gitcron's", () => {
  test.each([
    ["0 0 1 * * *", true, { schedule: "0 1 * * *" }],
    ["*/10 * * * * *", true, { schedule: "*/10 * * * * *", seconds: true }],
    ["0,20,40 * * * *", true, { schedule: "0,20,40 * * * *" }],
    ["@hourly", true, { schedule: "@hourly" }],
    ["@every 5s", true, { schedule: "*/5 * * * * *", seconds: true }],
    ["@every 1s", true, { schedule: "* * * * * *", seconds: true }],
    ["@every 10m", false, { schedule: "*/10 * * * *" }],
    ["@every 30s", false, { schedule: "*/30 * * * * *", seconds: true }],
    ["@every 1h", false, { schedule: "0 * * * *" }],
    ["@every 500ms", true, { schedule: "* * * * * *", seconds: true }],
    ["@every 2.5s", true, { schedule: "*/2 * * * * *", seconds: true }],
    ["@every 6h", false, { schedule: "0 */6 * * *" }],
    ["@every 24h", false, { schedule: "0 0 * * *" }],
    ["@every 1m0s", false, { schedule: "* * * * *" }],
    [
      "CRON_TZ=Europe/Amsterdam 30 2 * * *",
      false,
      { schedule: "30 2 * * *", timezone: "Europe/Amsterdam" },
    ],
    ["TZ=UTC @every 2h", false, { schedule: "0 */2 * * *", timezone: "UTC" }],
  ])("%s", (schedule, seconds, expected) => {
    expect(fromRobfig(schedule, { seconds })).toMatchObject(expected);
  });

  test.each(["@every 7m", "@every 90m", "@every 5h", "@every 45s", "@every soon"])(
    "%s has no cron equivalent: refused",
    (schedule) => {
      expect(fromRobfig(schedule, { seconds: true })).toMatchObject({
        refused: { rule: "import.schedule" },
      });
    },
  );

  test("@every says it was counted from the start, not the clock", () => {
    expect(fromRobfig("@every 5s", { seconds: true })).toMatchObject({
      comment: expect.stringContaining('was "@every 5s"'),
    });
  });
});
