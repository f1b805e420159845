// Schedules whose fire times are decades apart are still scheduled: the Gregorian calendar
// repeats every 400 years, so a schedule that fires at all fires again within 400 years.
// "FRI#5" in February needs a leap year whose February starts on a Friday: 28 to 40 years apart.

import { describe, expect, test } from "vitest";
import { parseSchedule } from "../../src/schedule/cron.js";
import { fireTimes } from "./fire-times.js";

describe("a schedule decades between fire times finds its next one", () => {
  test.each([
    // 2188 to 2228 is 40 years: 2200 is no leap year.
    ["0 0 * 2 FRI#5", "2160-01-01T00:00:00Z", ["2160-02-29", "2188-02-29", "2228-02-29"]],
    ["0 0 * 2 MON#5", "2073-01-01T00:00:00Z", ["2112-02-29", "2140-02-29"]],
    ["0 0 29 2 *", "2096-03-01T00:00:00Z", ["2104-02-29", "2108-02-29"]],
    // Years 0–99 are those years (Date.UTC alone would read them as 1900–1999): 0050-06-06 was
    // a Monday, and 0096-02-29 existed where 1996's did too, but 0100 had none.
    ["0 0 * * MON", "0050-06-01T00:00:00Z", ["0050-06-06", "0050-06-13"]],
    ["0 0 29 2 *", "0096-03-01T00:00:00Z", ["0104-02-29"]],
  ])("%s after %s", (expr, from, days) => {
    expect(fireTimes(expr, "UTC", from, days.length)).toEqual(
      days.map((day) => `${day}T00:00:00+00:00`),
    );
  });

  /** Independently of the cron engine: the years in which February has a fifth `weekday`. */
  const fifthWeekdayYears = (weekday: number, from: number, to: number): number[] => {
    const years: number[] = [];
    for (let y = from; y < to; y++) {
      const feb29 = new Date(Date.UTC(y, 1, 29));
      if (feb29.getUTCMonth() === 1 && feb29.getUTCDay() === weekday) years.push(y);
    }
    return years;
  };

  test.each([0, 1, 2, 3, 4, 5, 6])(
    "the fifth weekday %i of February, through a whole 400-year cycle",
    (weekday) => {
      const schedule = parseSchedule(`0 0 * 2 ${weekday}#5`, "UTC");
      const years: number[] = [];
      let at = schedule.next(new Date(Date.UTC(2000, 0, 1)));
      while (at && at.getUTCFullYear() < 2400) {
        years.push(at.getUTCFullYear());
        at = schedule.next(at);
      }
      expect(years).toEqual(fifthWeekdayYears(weekday, 2000, 2400));
    },
  );
});
