// gitcron reads cron fields itself (src/schedule/fields.ts). cron-parser, which it used before,
// stays as an independent model here: on thousands of generated expressions both must accept
// and refuse the same ones, and agree on the fire times of those they accept.

import { CronExpressionParser } from "cron-parser";
import { describe, expect, test } from "vitest";
import { parseSchedule } from "../../src/schedule/cron.js";
import { parseCronFields } from "../../src/schedule/fields.js";
import { normaliseExpression, ScheduleError } from "../../src/schedule/syntax.js";

/** A small seeded generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ["JAN", "FEB", "MAR", "apr", "May", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "wed", "Thu", "FRI", "SAT"];

interface FieldShape {
  lo: number;
  hi: number;
  names?: string[];
  day?: "month" | "week";
}

const SHAPES: FieldShape[] = [
  { lo: 0, hi: 59 },
  { lo: 0, hi: 59 },
  { lo: 0, hi: 23 },
  { lo: 1, hi: 31, day: "month" },
  { lo: 1, hi: 12, names: MONTHS },
  { lo: 0, hi: 7, names: DAYS, day: "week" },
];

function generator(seed: number) {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
  // Mostly in range, sometimes just outside it: both parsers must refuse the same ones.
  const number = (s: FieldShape) =>
    r() < 0.03 ? pick([s.lo - 1, s.hi + 1]) : s.lo + Math.floor(r() * (s.hi - s.lo + 1));
  const show = (s: FieldShape, n: number) => {
    const name = s.names?.[n - (s.names === MONTHS ? 1 : 0)];
    return name && r() < 0.3 ? name : String(n);
  };
  const value = (s: FieldShape) => show(s, number(s));
  /** Low to high, but now and then backwards. */
  const range = (s: FieldShape) => {
    const [a, b] = [number(s), number(s)];
    const [from, to] = r() < 0.1 === a < b ? [b, a] : [a, b];
    return `${show(s, from)}-${show(s, to)}`;
  };
  const item = (s: FieldShape): string => {
    const roll = r();
    if (roll < 0.3) return value(s);
    if (roll < 0.5) return range(s);
    if (roll < 0.6) return `*/${Math.floor(r() * 12)}`;
    if (roll < 0.7) return `${value(s)}/${1 + Math.floor(r() * 6)}`;
    if (roll < 0.8) return `${range(s)}/${Math.floor(r() * 5)}`;
    if (s.day === "month" && roll < 0.9) return "L";
    if (s.day === "week" && roll < 0.9) return `${value(s)}L`;
    if (roll < 0.97) return value(s);
    return pick(["", "x", "1-", "-2", "15W", "3//2", "1-2-3", "*"]);
  };
  const field = (s: FieldShape): string => {
    const roll = r();
    if (roll < 0.3) return s.day && r() < 0.3 ? "?" : "*";
    if (s.day === "week" && roll < 0.4) return `${value(s)}#${Math.floor(r() * 7)}`;
    const count = r() < 0.6 ? 1 : 2 + Math.floor(r() * 2);
    return Array.from({ length: count }, () => item(s)).join(",");
  };
  return () => {
    const six = r() < 0.3;
    const fields = SHAPES.slice(six ? 0 : 1).map(field);
    return fields.join(" ");
  };
}

type Verdict = { ok: true } | { ok: false; why: string };

function ours(expr: string): Verdict | "excluded" {
  let normalised: ReturnType<typeof normaliseExpression>;
  try {
    // Refusals of the shape (field count, wide steps, "H") come before the fields are read.
    normalised = normaliseExpression(expr);
  } catch {
    return "excluded";
  }
  try {
    parseCronFields(normalised);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    return { ok: false, why: err.message };
  }
}

function theirs(expr: string): Verdict {
  try {
    // normaliseExpression turns "FRI-SUN" into "FRI-7" the same way for both.
    CronExpressionParser.parse(normaliseExpression(expr).source);
    return { ok: true };
  } catch (err) {
    return { ok: false, why: String(err) };
  }
}

describe("gitcron's field parser and cron-parser agree", () => {
  test("on which of 5,000 generated expressions are valid", () => {
    const next = generator(20261127);
    let compared = 0;
    let accepted = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const expr = next();
      const mine = ours(expr);
      if (mine === "excluded") continue;
      const other = theirs(expr);
      compared++;
      if (mine.ok) accepted++;
      if (mine.ok !== other.ok) {
        disagreements.push(
          `${expr}: ours ${mine.ok ? "ok" : mine.why}; cron-parser ${other.ok ? "ok" : other.why}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
    // The generator must exercise both sides, not just refusals.
    expect(compared).toBeGreaterThan(3000);
    expect(accepted).toBeGreaterThan(500);
    expect(compared - accepted).toBeGreaterThan(500);
  });

  test("on the next 12 fire times of 300 valid generated expressions", () => {
    const next = generator(7);
    const start = new Date("2026-01-01T00:00:00Z");
    let checked = 0;
    for (let i = 0; checked < 300 && i < 20000; i++) {
      const expr = next();
      const mine = ours(expr);
      if (mine === "excluded" || !mine.ok) continue;
      const schedule = parseSchedule(expr, "UTC");
      const model = CronExpressionParser.parse(normaliseExpression(expr).source, {
        tz: "UTC",
        currentDate: start,
      });
      let at: Date = start;
      const mineTimes: string[] = [];
      const theirTimes: string[] = [];
      for (let k = 0; k < 12; k++) {
        let theirNext: string;
        try {
          theirNext = model.next().toISOString() ?? "";
        } catch {
          break; // cron-parser's iterator gives up on rare dates (its loop limit); ours does not.
        }
        const mineNext = schedule.next(at);
        if (!mineNext) break;
        mineTimes.push(mineNext.toISOString());
        theirTimes.push(theirNext);
        at = mineNext;
      }
      expect(mineTimes, expr).toEqual(theirTimes);
      checked++;
    }
    expect(checked).toBe(300);
  });
});

describe("what gitcron reads differently from cron-parser, on purpose", () => {
  test.each([
    ["0 ? * * *", /hour field "\?" is not valid/], // "?" means "any" only in the day fields
    ["0 0 * * L", /day-of-week field "L": "L" needs a day before it/],
    ["0 0 L-2 * *", /day-of-month field "L-2" is not valid/],
    ["0 0 LW * *", /day-of-month field "LW" is not valid/], // "W" (nearest weekday) is not supported
  ])("%s is refused with a sentence", (expr, message) => {
    expect(() => parseCronFields(normaliseExpression(expr))).toThrow(message);
  });

  test("a range written through 7 is Sunday once, a list naming 0 and 7 is Sunday twice", () => {
    const weekdays = (field: string) =>
      [...parseCronFields(normaliseExpression(`0 0 * * ${field}`)).days.weekdays].sort();
    expect(weekdays("5-7")).toEqual([0, 5, 6]);
    expect(weekdays("0-7")).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => weekdays("5-7,0")).toThrow(/a value is listed twice/);
  });
});
