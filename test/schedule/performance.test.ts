// The agent asks every job for its next fire time after every tick: 20,000 jobs, or 1,000
// due at the same second. Budgets are ~20× what this machine measures, so only a regression
// of kind (back to cron-parser's iterator, ~300 µs a call, or one Intl formatter per job,
// ~150 µs and tens of KB each) trips them.

import { describe, expect, test } from "vitest";
import { parseSchedule, ZoneCache } from "../../src/schedule/cron.js";

const ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];
const expressions = (i: number) =>
  [`${i % 60} ${i % 24} * * *`, `*/${1 + (i % 30)} * * * *`, `0 ${i % 24} * * ${i % 7}`, "@hourly"][
    i % 4
  ] as string;

describe("next fire times are cheap enough for 20,000 jobs", () => {
  test("20,000 schedules in five zones: parsed, then each asked for its next time", () => {
    const zones = new ZoneCache();
    const now = new Date("2026-11-27T00:00:00Z");
    const started = performance.now();
    const jobs = Array.from({ length: 20_000 }, (_, i) =>
      parseSchedule(expressions(i), ZONES[i % ZONES.length] as string, { zones }),
    );
    const parsed = performance.now();
    const next = jobs.map((job) => job.next(now));
    const asked = performance.now();
    expect(next.every((t) => t !== null && t > now)).toBe(true);
    expect(parsed - started).toBeLessThan(20_000); // measured ~1.2 s under vitest
    expect(asked - parsed).toBeLessThan(2_000); // measured ~200 ms under vitest
  });

  test("1,000 jobs due at the same second get their next times in well under a second", () => {
    const zones = new ZoneCache();
    const due = new Date("2026-11-27T03:00:00Z");
    const jobs = Array.from({ length: 1_000 }, (_, i) =>
      parseSchedule(expressions(i), ZONES[i % ZONES.length] as string, { zones }),
    );
    const started = performance.now();
    const next = jobs.map((job) => job.next(due));
    expect(performance.now() - started).toBeLessThan(200); // measured ~7 ms
    expect(next.every((t) => t !== null && t > due)).toBe(true);
  });

  test("schedules in one zone share its zone data through the cache", () => {
    const zones = new ZoneCache();
    expect(zones.get("Europe/Amsterdam")).toBe(zones.get("Europe/Amsterdam"));
    expect(zones.find("Mars/Olympus")).toBeUndefined();
    expect(() => zones.get("Mars/Olympus")).toThrow(/unknown time zone/);
  });
});
