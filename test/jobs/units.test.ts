// Durations, memory sizes and shell-like word splitting: the small parsers every field relies on.

import { describe, expect, test } from "vitest";
import { parseMemory } from "../../src/jobs/units.js";
import { splitWords } from "../../src/jobs/words.js";
import { durationAsWritten as formatDuration, parseDuration } from "../../src/text/duration.js";

describe("parseDuration", () => {
  test.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
    ["250ms", 250],
    ["0s", 0],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(["", "15", "5 minutes", "1.5h", "-1s", "1w"])("refuses %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration/);
  });

  test("refuses a duration beyond what a number holds exactly", () => {
    expect(() => parseDuration("99999999999999999d")).toThrow(/too long/);
  });

  test("agrees with the grammar ^(digits unit)+$ on every string of up to 4 such characters", () => {
    // The grammar as a regex is the specification; parseDuration reads it by hand for speed.
    const grammar = /^(?:\d+(?:ms|s|m|h|d))+$/;
    const alphabet = ["1", "0", "m", "s", "h", "d", "x", " "];
    const strings = [""];
    for (let length = 1; length <= 4; length++) {
      for (const prefix of strings.filter((t) => t.length === length - 1)) {
        for (const ch of alphabet) strings.push(prefix + ch);
      }
    }
    const disagreements = strings.filter((text) => {
      let parsed: boolean;
      try {
        parseDuration(text);
        parsed = true;
      } catch {
        parsed = false;
      }
      return parsed !== grammar.test(text.trim());
    });
    expect(strings.length).toBeGreaterThan(4000);
    expect(disagreements).toEqual([]);
    expect(parseDuration("1m1ms1s")).toBe(61_001);
  });
});

describe("formatDuration writes milliseconds as a job file does, and parseDuration reads it back", () => {
  test.each([
    [7 * 86_400_000 + 3_600_000, "7d1h"],
    [26 * 3_600_000, "1d2h"],
    [65 * 60_000, "1h5m"],
    [90_000, "1m30s"],
    [1500, "1s500ms"],
    [0, "0s"],
  ])("%i → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe("parseMemory", () => {
  test.each([
    ["256Mi", 268_435_456],
    ["1Gi", 1_073_741_824],
    ["512M", 512_000_000],
    ["1.5Gi", 1_610_612_736],
    ["64k", 64_000],
    ["1048576", 1_048_576],
    [1_048_576, 1_048_576],
  ])("%s is %d bytes", (value, bytes) => expect(parseMemory(value)).toBe(bytes));

  test.each(["lots", "256MB", "-1", "1 Gi"])("refuses %j", (value) => {
    expect(() => parseMemory(value)).toThrow(/not a memory size/);
  });
});

describe("splitWords", () => {
  test.each([
    ["sh -c 'echo hi'", ["sh", "-c", "echo hi"]],
    ['echo "a \\"b\\" c"', ["echo", 'a "b" c']],
    ["a\\ b  c", ["a b", "c"]],
    ["''", [""]],
    ["  spaced   out  ", ["spaced", "out"]],
    ["don't'", ["dont"]],
  ])("%j", (text, words) => expect(splitWords(text)).toEqual({ ok: true, words }));

  test("an unterminated quote is an error, not a guess", () => {
    expect(splitWords("sh -c 'echo")).toEqual({ ok: false, message: "unterminated ' quote" });
  });
});
