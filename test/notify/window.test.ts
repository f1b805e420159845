// `expectSuccessWithin: auto`: the longest gap between fire times over the next year, plus the
// timeout or an hour — table-tested against schedules people write.

import { describe, expect, it } from "vitest";
import { lateWindowMs, longestGapMs } from "../../src/notify/window.js";

const H = 3_600_000;
const from = new Date("2026-12-01T10:00:00Z");
const auto = (schedule: string, extra: { timeoutMs?: number; timezone?: string } = {}) =>
  lateWindowMs(
    { schedule, timezone: extra.timezone ?? "UTC", expectSuccessWithin: { auto: true }, ...extra },
    from,
  );

describe("expectSuccessWithin: auto", () => {
  it.each([
    ["hourly", "0 * * * *", {}, 2 * H],
    ["daily", "0 3 * * *", {}, 25 * H],
    ["daily with a 15m timeout", "0 3 * * *", { timeoutMs: 15 * 60_000 }, 24 * H + 15 * 60_000],
    ["weekdays only (Friday to Monday)", "0 9 * * MON-FRI", {}, 73 * H],
    ["monthly (31-day months)", "0 0 1 * *", {}, 31 * 24 * H + H],
    ["twice a day, uneven", "0 6,18 * * *", {}, 13 * H],
    ["every 5 minutes", "*/5 * * * *", {}, 5 * 60_000 + H],
  ])("%s: %s → its longest gap plus the timeout or an hour", (_, schedule, extra, want) => {
    expect(auto(schedule, extra)).toBe(want);
  });

  it("a daily job in a DST zone counts the 25-hour day of the change", () => {
    // Europe/Amsterdam falls back on 2027-10-31: 03:00 to 03:00 across it is 25 hours.
    expect(auto("0 3 * * *", { timezone: "Europe/Amsterdam" })).toBe(26 * H);
  });

  it("a dense schedule with a weekend pause finds the pause (sampled past the exact part)", () => {
    // Every minute on weekdays: 100,000 fires cover ten weeks, then it is sampled.
    const gap = longestGapMs({ schedule: "* * * * MON-FRI", timezone: "UTC" }, from) as number;
    // Friday 23:59 to Monday 00:00.
    expect(gap).toBe(48 * H + 60_000);
  });

  it("a written duration is taken as it is; no expectSuccessWithin is no window", () => {
    expect(
      lateWindowMs(
        { schedule: "0 3 * * *", timezone: "UTC", expectSuccessWithin: { ms: 5000 } },
        from,
      ),
    ).toBe(5000);
    expect(lateWindowMs({ schedule: "0 3 * * *", timezone: "UTC" }, from)).toBeUndefined();
  });
});
