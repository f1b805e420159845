// SPEC §1's time semantics, each rule with the dates that prove it: a wall-clock time skipped by
// a DST jump fires once, within the hour after the gap, unless the schedule fires anyway within
// the jump's length past the gap (Apia's skipped day); a repeated one fires once, the first
// time; schedules with fire times in every hour keep ticking on elapsed time.

import { CronExpressionParser } from "cron-parser";
import { describe, expect, test } from "vitest";
import { parseSchedule, ZoneCache } from "../../src/schedule/cron.js";
import { fireTimes } from "./fire-times.js";

describe("a wall-clock time skipped by a DST jump fires once, within the hour after the gap", () => {
  test.each([
    // Europe/Amsterdam 2026-03-29: 02:00 CET → 03:00 CEST.
    [
      "30 2 * * *",
      "Europe/Amsterdam",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"],
    ],
    [
      "0 2 * * *",
      "Europe/Amsterdam",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"],
    ],
    [
      "59 2 * * *",
      "Europe/Amsterdam",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:59:00+02:00", "2026-03-30T02:59:00+02:00"],
    ],
    [
      "0 30 2 * * *",
      "Europe/Amsterdam",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"],
    ],
    // The skipped 02:00 and the real 03:00 are the same instant: one run, not two.
    [
      "0 2-3 * * *",
      "Europe/Amsterdam",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"],
    ],
    // America/New_York 2026-03-08: 02:00 EST → 03:00 EDT.
    [
      "30 2 * * *",
      "America/New_York",
      "2026-03-07T12:00:00Z",
      ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"],
    ],
    // Australia/Lord_Howe 2026-10-04 jumps half an hour, 02:00 → 02:30 (cron-parser's own iterator gives up here).
    [
      "15 2 * * *",
      "Australia/Lord_Howe",
      "2026-10-03T12:00:00Z",
      ["2026-10-04T02:45:00+11:00", "2026-10-05T02:15:00+11:00"],
    ],
    // Pacific/Chatham 2026-09-27: 02:45 → 03:45 (+12:45 → +13:45).
    [
      "59 2 * * *",
      "Pacific/Chatham",
      "2026-09-26T00:00:00Z",
      ["2026-09-27T03:59:00+13:45", "2026-09-28T02:59:00+13:45"],
    ],
    // America/Santiago 2026-09-06 skips midnight itself.
    [
      "0 0 * * *",
      "America/Santiago",
      "2026-09-05T12:00:00Z",
      ["2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"],
    ],
    // Antarctica/Troll 2026-03-29 jumps two hours at 01:00Z, 01:00 → 03:00 (+00:00 → +02:00):
    // 02:30 is 90 minutes into the gap, but fires 30 minutes after it, not at 04:30.
    [
      "30 2 * * *",
      "Antarctica/Troll",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"],
    ],
    [
      "59 2 * * *",
      "Antarctica/Troll",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:59:00+02:00", "2026-03-30T02:59:00+02:00"],
    ],
    [
      "0 2 * * *",
      "Antarctica/Troll",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"],
    ],
    [
      "30 1 * * *",
      "Antarctica/Troll",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:30:00+02:00", "2026-03-30T01:30:00+02:00"],
    ],
    // 01:30 and 02:30 both land on 03:30 that night: one run, not two.
    [
      "30 1,2 * * *",
      "Antarctica/Troll",
      "2026-03-28T12:00:00Z",
      ["2026-03-29T03:30:00+02:00", "2026-03-30T01:30:00+02:00"],
    ],
  ])("%s in %s after %s", (expr, tz, from, expected) => {
    expect(fireTimes(expr, tz, from, 2)).toEqual(expected);
  });

  test("the shift lands within the hour after Troll's two-hour gap, whatever the time in it", () => {
    const gapEnd = Date.parse("2026-03-29T01:00:00Z"); // 03:00+02:00
    for (let minute = 0; minute < 120; minute++) {
      const [h, m] = [1 + Math.floor(minute / 60), minute % 60];
      const [fire] = fireTimes(`${m} ${h} * * *`, "Antarctica/Troll", "2026-03-28T12:00:00Z", 1);
      const late = Date.parse(fire ?? "") - gapEnd;
      expect({ at: `${h}:${m}`, late }).toEqual({ at: `${h}:${m}`, late: (minute % 60) * 60_000 });
    }
  });
});

describe("a skipped wall time adds no run when the schedule fires within the jump past the gap", () => {
  // Pacific/Apia skipped 2011-12-30 whole: 2011-12-29T23:59:59-10:00 → 2011-12-31T00:00:00+14:00.
  // Shifted past the gap, the 30th's noon would fire at 00:00 on the 31st and its own noon
  // again (croner, cron-parser, robfig/cron and croniter fire once).
  test.each([
    [
      "0 12 * * *",
      "2011-12-28T12:00:00-10:00",
      ["2011-12-29T12:00:00-10:00", "2011-12-31T12:00:00+14:00", "2012-01-01T12:00:00+14:00"],
    ],
    [
      "30 23 * * *",
      "2011-12-29T00:00:00-10:00",
      ["2011-12-29T23:30:00-10:00", "2011-12-31T23:30:00+14:00"],
    ],
    [
      "0 0,12 * * *",
      "2011-12-29T06:00:00-10:00",
      ["2011-12-29T12:00:00-10:00", "2011-12-31T00:00:00+14:00", "2011-12-31T12:00:00+14:00"],
    ],
    // Nothing on the far side stands in for a weekly Friday: it fires once, after the gap, by
    // the rule above (cron-parser, alone of the four, waits for the next Friday).
    [
      "0 12 * * FRI",
      "2011-12-24T00:00:00Z",
      ["2011-12-31T00:00:00+14:00", "2012-01-06T12:00:00+14:00"],
    ],
  ])("Pacific/Apia 2011-12-30: %s after %s", (expr, from, expected) => {
    expect(fireTimes(expr, "Pacific/Apia", from, expected.length)).toEqual(expected);
  });

  test.each([
    "0 12 * * *",
    "30 23 * * *",
    "0 0 * * *",
    "15 3 * * *",
    "0 */6 * * *",
    "0 0,12 * * *",
  ])(
    "Pacific/Apia 2011-12-30: %s fires as cron-parser's own iterator does, 27 Dec to 3 Jan",
    (expr) => {
      const from = new Date("2011-12-27T00:00:00Z");
      const to = Date.parse("2012-01-03T00:00:00Z");
      const oracle = CronExpressionParser.parse(expr, { tz: "Pacific/Apia", currentDate: from });
      const theirs: string[] = [];
      for (let t = oracle.next().getTime(); t <= to; t = oracle.next().getTime())
        theirs.push(new Date(t).toISOString());
      const schedule = parseSchedule(expr, "Pacific/Apia");
      const ours: string[] = [];
      for (let t = schedule.next(from); t && t.getTime() <= to; t = schedule.next(t))
        ours.push(t.toISOString());
      expect(ours).toEqual(theirs);
    },
  );

  test.each([
    // Antarctica/Troll 2026-03-29 jumps two hours, 01:00 → 03:00: the skipped 02:00 is stood
    // in for by the real 04:00, two hours after 00:00, not by an extra 03:00.
    [
      "0 */2 * * *",
      "Antarctica/Troll",
      "2026-03-28T23:30:00+00:00",
      ["2026-03-29T00:00:00+00:00", "2026-03-29T04:00:00+02:00", "2026-03-29T06:00:00+02:00"],
    ],
    // Australia/Lord_Howe 2026-10-04 jumps half an hour, 02:00 → 02:30: 02:00 lands on 02:30,
    // the skipped 02:20 is stood in for by the real 02:40.
    [
      "*/20 * * * *",
      "Australia/Lord_Howe",
      "2026-10-04T01:50:00+10:30",
      ["2026-10-04T02:30:00+11:00", "2026-10-04T02:40:00+11:00", "2026-10-04T03:00:00+11:00"],
    ],
  ])("%s in %s after %s", (expr, tz, from, expected) => {
    expect(fireTimes(expr, tz, from, expected.length)).toEqual(expected);
  });
});

describe("a wall-clock time that happens twice fires once, the first time", () => {
  test.each([
    // Europe/Amsterdam 2026-10-25: 03:00 CEST → 02:00 CET, so 02:00–02:59 happens twice.
    [
      "30 2 * * *",
      "Europe/Amsterdam",
      "2026-10-24T12:00:00Z",
      ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"],
    ],
    [
      "*/30 2 * * *",
      "Europe/Amsterdam",
      "2026-10-24T12:00:00Z",
      ["2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:00:00+01:00"],
    ],
    // Asked from inside the second pass (02:10+01:00), 02:30 does not fire again that day.
    [
      "30 2 * * *",
      "Europe/Amsterdam",
      "2026-10-25T01:10:00Z",
      ["2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00"],
    ],
    // America/New_York 2026-11-01: 02:00 EDT → 01:00 EST.
    [
      "30 1 * * *",
      "America/New_York",
      "2026-10-31T12:00:00Z",
      ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"],
    ],
    // America/Havana 2026-11-01 repeats the hour after midnight (cron-parser alone fires the second one).
    [
      "30 0 * * *",
      "America/Havana",
      "2026-10-31T12:00:00Z",
      ["2026-11-01T00:30:00-04:00", "2026-11-02T00:30:00-05:00"],
    ],
    // Antarctica/Troll 2026-10-25 goes back two hours at 01:00Z, 03:00 → 01:00 (+02:00 → +00:00),
    // so 01:00–02:59 happens twice.
    [
      "30 1 * * *",
      "Antarctica/Troll",
      "2026-10-24T12:00:00Z",
      ["2026-10-25T01:30:00+02:00", "2026-10-26T01:30:00+00:00"],
    ],
    [
      "*/30 1-2 * * *",
      "Antarctica/Troll",
      "2026-10-24T12:00:00Z",
      [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T01:30:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T01:00:00+00:00",
      ],
    ],
    // Asked from the second pass's 01:10+00:00, neither 01:30 nor 02:30 fires again that day.
    [
      "30 1,2 * * *",
      "Antarctica/Troll",
      "2026-10-25T01:10:00Z",
      ["2026-10-26T01:30:00+00:00", "2026-10-26T02:30:00+00:00"],
    ],
  ])("%s in %s after %s", (expr, tz, from, expected) => {
    expect(fireTimes(expr, tz, from, expected.length)).toEqual(expected);
  });
});

describe("schedules with fire times in every hour tick on elapsed time, none lost or doubled", () => {
  test.each([
    [
      "0 * * * *",
      "Europe/Amsterdam",
      "2026-03-29T00:30:00+01:00",
      ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"],
    ],
    [
      "0 * * * *",
      "Europe/Amsterdam",
      "2026-10-25T01:30:00+02:00",
      ["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"],
    ],
    [
      "*/30 * * * *",
      "America/New_York",
      "2026-11-01T00:50:00-04:00",
      [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:30:00-05:00",
        "2026-11-01T02:00:00-05:00",
      ],
    ],
    [
      "* * * * *",
      "America/New_York",
      "2026-03-08T01:58:00-05:00",
      ["2026-03-08T01:59:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:01:00-04:00"],
    ],
    [
      "*/20 * * * * *",
      "Europe/Amsterdam",
      "2026-10-25T02:59:30+02:00",
      ["2026-10-25T02:59:40+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T02:00:20+01:00"],
    ],
    // Troll's two-hour jump swallows 01:00 and 02:00: one tick at 03:00, an hour after 00:00.
    [
      "0 * * * *",
      "Antarctica/Troll",
      "2026-03-28T23:30:00+00:00",
      ["2026-03-29T00:00:00+00:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"],
    ],
    // Going back two hours, 01:00 and 02:00 each tick twice, an hour apart.
    [
      "0 * * * *",
      "Antarctica/Troll",
      "2026-10-25T00:30:00+02:00",
      [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00",
        "2026-10-25T03:00:00+00:00",
      ],
    ],
    // A half-hour jump swallows 02:00, which is then shifted to 02:30 like any skipped time.
    [
      "0 * * * *",
      "Australia/Lord_Howe",
      "2026-10-04T00:30:00+10:30",
      ["2026-10-04T01:00:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-04T03:00:00+11:00"],
    ],
  ])("%s in %s after %s", (expr, tz, from, expected) => {
    expect(fireTimes(expr, tz, from, expected.length)).toEqual(expected);
  });

  test.each([
    ["Europe/Amsterdam", "2026-03-28T12:00:00Z"],
    ["Europe/Amsterdam", "2026-10-24T12:00:00Z"],
    ["America/New_York", "2026-03-07T12:00:00Z"],
    ["America/New_York", "2026-10-31T12:00:00Z"],
    ["Antarctica/Troll", "2026-03-28T12:00:00Z"],
    ["Antarctica/Troll", "2026-10-24T12:00:00Z"],
  ])(
    "an hourly schedule fires every 60 minutes across the transition in %s after %s",
    (tz, from) => {
      const schedule = parseSchedule("0 * * * *", tz);
      let previous = schedule.next(new Date(from));
      for (let i = 0; i < 48 && previous; i++) {
        const current = schedule.next(previous);
        expect(current && current.getTime() - previous.getTime()).toBe(3_600_000);
        previous = current;
      }
    },
  );
});

/**
 * An independent statement of the rule: cron-parser on a zone-less (UTC) calendar lists the
 * matching wall-clock times; each is mapped to the instants at which the zone's clock shows it
 * (via Intl). Compared with parseSchedule in the days around every 2026 transition.
 */
describe("around every 2026 transition, fire times follow the rule for any schedule", () => {
  const zones = [
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Havana",
    "America/Santiago",
    "Asia/Beirut",
    "Antarctica/Troll",
  ];
  const schedules = [
    "30 2 * * *",
    "0 0 * * *",
    "45 1 * * *",
    "0 */2 * * *",
    "30 1-3 * * *",
    "*/15 2 * * *",
    "0 2 * * 0",
    "0 * * * *",
    "*/20 * * * *",
    "0 30 2 * * *",
  ];
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const cache = new ZoneCache();

  const formats = new Map<string, Intl.DateTimeFormat>();
  const wallOf = (instant: number, tz: string): number => {
    let format = formats.get(tz);
    if (!format) {
      const numeric = "numeric" as const;
      const fields = {
        year: numeric,
        month: numeric,
        day: numeric,
        hour: numeric,
        minute: numeric,
        second: numeric,
      };
      format = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", ...fields });
      formats.set(tz, format);
    }
    const parts = format.formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(
      get("year"),
      get("month") - 1,
      get("day"),
      get("hour"),
      get("minute"),
      get("second"),
    );
  };
  /** The quarter hours of 2026 after which the clock does not move on by a quarter hour. */
  const transitions = (tz: string): number[] => {
    const found: number[] = [];
    const step = HOUR / 4;
    for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2027, 0, 1); day += DAY) {
      if (wallOf(day + DAY, tz) - wallOf(day, tz) === DAY) continue;
      for (let t = day; t < day + DAY; t += step) {
        if (wallOf(t + step, tz) - wallOf(t, tz) !== step) found.push(t);
      }
    }
    return found;
  };
  /** A skipped wall time: moved on by the jump, less whole hours while the clock there still
   * reads later than `wall` (past the gap), so it lands within the hour after the gap. */
  const afterGap = (wall: number, tz: string): number => {
    const before = wallOf(wall - DAY, tz) - (wall - DAY);
    let t = wall - before;
    while (wallOf(t - HOUR, tz) > wall) t -= HOUR;
    return t;
  };
  const offsetsAround = (wall: number, tz: string): [number, number] => [
    wallOf(wall - DAY, tz) - (wall - DAY),
    wallOf(wall + DAY, tz) - (wall + DAY),
  ];
  const showing = (wall: number, tz: string): number[] =>
    [...new Set(offsetsAround(wall, tz))]
      .map((o) => wall - o)
      .filter((t) => wallOf(t, tz) === wall)
      .sort((a, b) => a - b);
  const expected = (expr: string, tz: string, from: number, to: number): number[] => {
    const everyHour = CronExpressionParser.parse(expr).fields.hour.values.length === 24;
    const iterator = CronExpressionParser.parse(expr, {
      tz: "UTC",
      currentDate: new Date(from - DAY),
    });
    const walls: number[] = [];
    for (
      let wall = iterator.next().getTime();
      wall < to + 2 * DAY;
      wall = iterator.next().getTime()
    )
      walls.push(wall);
    /** A skipped wall time adds no run when the clock shows a later one within the jump. */
    const standsIn = (wall: number): boolean => {
      const [before, after] = offsetsAround(wall, tz);
      return walls.some((w) => w > wall && w <= wall + after - before && showing(w, tz).length);
    };
    const out = new Set<number>();
    for (const wall of walls.filter((w) => w < to + DAY)) {
      const shown = showing(wall, tz);
      const chosen =
        shown.length === 0
          ? standsIn(wall)
            ? []
            : [afterGap(wall, tz)]
          : everyHour
            ? shown
            : shown.slice(0, 1);
      for (const t of chosen) if (t > from && t <= to) out.add(t);
    }
    return [...out].sort((a, b) => a - b);
  };

  for (const tz of zones) {
    test(`${tz}: ${schedules.length} schedules, two days either side of each transition`, () => {
      const found = transitions(tz);
      expect(found.length).toBeGreaterThanOrEqual(2);
      for (const at of found) {
        const [from, to] = [at - 2 * DAY, at + 2 * DAY];
        for (const expr of schedules) {
          const schedule = parseSchedule(expr, tz, { zones: cache });
          const actual: number[] = [];
          for (let t = schedule.next(new Date(from)); t && t.getTime() <= to; t = schedule.next(t))
            actual.push(t.getTime());
          expect({ expr, fires: actual.map((t) => new Date(t).toISOString()) }).toEqual({
            expr,
            fires: expected(expr, tz, from, to).map((t) => new Date(t).toISOString()),
          });
        }
      }
    });
  }
});
