// Schedules share zone data through a cache passed in (no module state): the agent builds one
// for all of its jobs. Speed itself is measured by `npm run bench`, not asserted here.

import { describe, expect, test } from "vitest";
import { parseSchedule, ZoneCache } from "../../src/schedule/cron.js";

describe("the zone cache", () => {
  test("schedules in one zone share its zone data", () => {
    const zones = new ZoneCache();
    expect(zones.get("Europe/Amsterdam")).toBe(zones.get("Europe/Amsterdam"));
    expect(zones.find("Mars/Olympus")).toBeUndefined();
    expect(() => zones.get("Mars/Olympus")).toThrow(/unknown time zone/);
  });

  test("schedules parsed through one cache agree with schedules parsed alone", () => {
    const zones = new ZoneCache();
    const from = new Date("2026-03-28T12:00:00Z");
    for (const expr of ["30 2 * * *", "*/15 * * * *", "0 3 * * MON", "@hourly"]) {
      const shared = parseSchedule(expr, "Europe/Amsterdam", { zones });
      const alone = parseSchedule(expr, "Europe/Amsterdam");
      expect(shared.next(from)).toEqual(alone.next(from));
    }
  });
});
