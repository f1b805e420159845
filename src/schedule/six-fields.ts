// Six fields are read two ways: seconds first (gitcron, Quartz, robfig/cron's WithSeconds) or
// with a sixth field for the year (supercronic). "30 2 * * * *" is 02:30 nightly in the one and
// :02:30 every hour in the other, so a six-field schedule whose reading the file does not state
// (`seconds: true`) is a warning that shows both readings with their next runs.

import { nextTimes, parseSchedule } from "./cron.js";
import { parseCronFields } from "./fields.js";
import { fireFrequencyWarning } from "./frequency.js";
import { normaliseExpression, ScheduleError } from "./syntax.js";
import { wallClockMatcher } from "./wall.js";
import { type ZoneCache, zoneFormatter } from "./zone.js";

/** How many next runs each reading shows: two tell the cadence apart (hourly or nightly). */
const SHOWN = 2;

export interface SixFieldWarning {
  message: string;
  hint: string;
}

/** The number of fields of a valid schedule (macros count as five); undefined if invalid. */
export function fieldCount(expr: string): 5 | 6 | undefined {
  try {
    return normaliseExpression(expr).fields.length === 6 ? 6 : 5;
  } catch (err) {
    if (err instanceof ScheduleError) return undefined;
    throw err;
  }
}

/** The warning for a valid six-field schedule whose reading is not stated; undefined for any
 * other schedule. `from` is where the next runs are counted from (validate: now). */
export function sixFieldWarning(
  expr: string,
  timezone: string,
  from: Date,
  zones?: ZoneCache,
): SixFieldWarning | undefined {
  const normalised = normaliseExpression(expr);
  if (normalised.fields.length !== 6) return undefined;
  const fields = normalised.fields;
  const options = zones ? { zones } : {};
  const format = zoneFormatter(timezone, zones);
  const runs = (schedule: string) =>
    nextTimes(parseSchedule(schedule, timezone, options), from, SHOWN)
      .map(format)
      .join(", ");

  // Said the SPEC's way when it fires more than once a minute: that is the costly misreading.
  const frequent = fireFrequencyWarning(wallClockMatcher(parseCronFields(normalised)), normalised);
  const lead = frequent?.message ?? "six fields mean seconds first";
  const asYear = yearReading(fields);
  const other = asYear
    ? `supercronic reads the sixth field as a year: next ${runs(asYear)}`
    : "supercronic would read the sixth field as a year, which makes no valid schedule of it";
  const withSeconds = 'add "seconds: true" to keep seconds first';
  const hint = asYear
    ? `${withSeconds}; for supercronic's reading write five fields: "${asYear}"`
    : fields[0] === "0"
      ? `write five fields for the same runs: "${fields.slice(1).join(" ")}", or ${withSeconds}`
      : withSeconds;
  return { message: `${lead}: next ${runs(expr)}; ${other}`, hint };
}

/** The first five fields, when supercronic's reading (sixth field a year) is a schedule: the
 * year is `*` or `?` (a four-digit year is refused as cron.years) and the five parse. */
function yearReading(fields: readonly string[]): string | undefined {
  if (fields[5] !== "*" && fields[5] !== "?") return undefined;
  const five = fields.slice(0, 5).join(" ");
  try {
    parseCronFields(normaliseExpression(five));
    return five;
  } catch (err) {
    if (err instanceof ScheduleError) return undefined;
    throw err;
  }
}
