// Zones: which names are real, ISO 8601 with the offset in force, and times read in a zone.

import { describe, expect, test } from "vitest";
import {
  formatInZone,
  isTimeZone,
  parseTimeInZone,
  readableTime,
  ZoneCache,
} from "../../src/schedule/cron.js";

describe("time zone names are IANA names this runtime knows", () => {
  test.each([
    ["UTC", true],
    ["Europe/Amsterdam", true],
    ["America/Argentina/Buenos_Aires", true],
    ["Etc/GMT+5", true],
    ["US/Eastern", true], // a backward-compatible link is still an IANA name
    ["Asia/Kolkata", true], // ICU's list says Asia/Calcutta: names it does not list are asked too
    ["Europe/Kyiv", true],
    ["Asia/Calcutta", true],
    ["europe/amsterdam", true], // ICU reads names in any case, as before
    ["Mars/Olympus", false],
    ["+01:00", false], // an offset ignores DST, which is the point of naming a zone
    ["CET ", false],
    ["", false],
    ["../../etc/passwd", false],
  ])("%s → %s", (tz, known) => {
    expect(isTimeZone(tz)).toBe(known);
  });
});

describe("an instant reads as ISO 8601 with the offset in force at that instant", () => {
  test.each([
    ["2026-03-29T01:30:00Z", "Europe/Amsterdam", "2026-03-29T03:30:00+02:00"],
    ["2026-03-29T00:30:00Z", "Europe/Amsterdam", "2026-03-29T01:30:00+01:00"],
    ["2026-10-25T00:30:00Z", "Europe/Amsterdam", "2026-10-25T02:30:00+02:00"],
    ["2026-10-25T01:30:00Z", "Europe/Amsterdam", "2026-10-25T02:30:00+01:00"],
    ["2026-11-01T06:30:00Z", "America/New_York", "2026-11-01T01:30:00-05:00"],
    ["2026-06-01T12:00:00Z", "Asia/Kolkata", "2026-06-01T17:30:00+05:30"],
    ["2026-06-01T12:00:00Z", "Pacific/Chatham", "2026-06-02T00:45:00+12:45"],
    ["2026-06-01T12:00:00Z", "UTC", "2026-06-01T12:00:00+00:00"],
    ["2026-06-01T12:00:00.250Z", "UTC", "2026-06-01T12:00:00.250+00:00"],
    // Past 9999, ISO 8601's expanded years, as Date.toISOString writes them.
    ["+010000-01-01T00:00:00Z", "UTC", "+010000-01-01T00:00:00+00:00"],
    ["+010000-01-01T00:00:00.250Z", "UTC", "+010000-01-01T00:00:00.250+00:00"],
    ["9999-12-31T15:00:00Z", "Asia/Tokyo", "+010000-01-01T00:00:00+09:00"],
    ["+010000-01-01T00:00:00Z", "America/New_York", "9999-12-31T19:00:00-05:00"],
    ["+012345-07-01T12:34:56Z", "Europe/Amsterdam", "+012345-07-01T14:34:56+02:00"],
  ])("%s in %s", (instant, tz, text) => {
    expect(formatInZone(new Date(instant), tz)).toBe(text);
  });

  test("what is printed reads back as the same instant, past 9999 too", () => {
    for (const instant of [
      "9999-12-31T23:59:59Z",
      "+010000-01-01T00:00:00Z",
      "+099999-06-01T00:00:00Z",
    ]) {
      const text = formatInZone(new Date(instant), "Europe/Amsterdam");
      expect(Date.parse(text)).toBe(Date.parse(instant));
    }
  });
});

describe("a time without an offset is read on the zone's wall clock, by the DST rule", () => {
  const amsterdam = new ZoneCache().get("Europe/Amsterdam");
  test.each([
    ["2026-03-29", "2026-03-28T23:00:00.000Z"],
    ["2026-03-29T01:30", "2026-03-29T00:30:00.000Z"],
    ["2026-03-29T02:30", "2026-03-29T01:30:00.000Z"], // skipped: 03:30+02:00
    ["2026-10-25T02:30", "2026-10-25T00:30:00.000Z"], // repeated: the first one
    ["2026-10-25 02:30:15", "2026-10-25T00:30:15.000Z"],
    ["2026-10-25T02:30:00Z", "2026-10-25T02:30:00.000Z"],
    ["2026-10-25T02:30:00+01:00", "2026-10-25T01:30:00.000Z"],
    ["2026-10-25T02:30:00-0330", "2026-10-25T06:00:00.000Z"],
    // Years 0–99 are those years, not 1900–1999 (Date.UTC's reading of two-digit years).
    ["0050-06-01T12:00:00Z", "0050-06-01T12:00:00.000Z"],
    ["0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"],
    ["0099-12-31T23:59:59Z", "0099-12-31T23:59:59.000Z"],
  ])("%s", (text, instant) => {
    expect(parseTimeInZone(text, amsterdam)?.toISOString()).toBe(instant);
  });

  // Antarctica/Troll 2026-03-29 skips 01:00–02:59: a skipped time reads as it would fire,
  // within the hour after the gap (03:00+02:00 is 01:00Z).
  const troll = new ZoneCache().get("Antarctica/Troll");
  test.each([
    ["2026-03-29T00:59", "2026-03-29T00:59:00.000Z"],
    ["2026-03-29T01:30", "2026-03-29T01:30:00.000Z"], // 03:30+02:00
    ["2026-03-29T02:30", "2026-03-29T01:30:00.000Z"], // 03:30+02:00 too, not 04:30
    ["2026-03-29T03:00", "2026-03-29T01:00:00.000Z"],
  ])("%s in Antarctica/Troll", (text, instant) => {
    expect(parseTimeInZone(text, troll)?.toISOString()).toBe(instant);
  });

  test.each([
    "yesterday",
    "2026-02-30",
    "2026-13-01",
    "2026-01-01T24:00",
    "1767225600",
    "2026-1-1",
  ])("%s is not a time", (text) => {
    expect(parseTimeInZone(text, amsterdam)).toBeNull();
  });
});

describe("an instant as a person reads it: the job's zone, to the second", () => {
  test.each([
    ["Europe/Amsterdam", "2026-12-06T01:30:00.000Z", "2026-12-06 02:30:00 +01:00"],
    ["Europe/Amsterdam", "2026-07-06T00:30:00.999Z", "2026-07-06 02:30:00 +02:00"],
    ["Asia/Kolkata", "2026-12-06T21:00:05.500Z", "2026-12-07 02:30:05 +05:30"],
    ["UTC", "2026-12-06T01:30:00.000Z", "2026-12-06 01:30:00 UTC"],
    // A status branch is anyone's to write: a zone no one knows reads as UTC, says so.
    ["Mars/Olympus", "2026-12-06T01:30:00.000Z", "2026-12-06 01:30:00 UTC"],
    [undefined, "2026-12-06T01:30:00.000Z", "2026-12-06 01:30:00 UTC"],
    ["Europe/Amsterdam", "not a time", "not a time"],
  ])("%s: %s → %s", (zone, iso, shown) => {
    expect(readableTime(zone)(iso)).toBe(shown);
  });
});
