// Other tools' schedules in gitcron's terms. supercronic reads cron with gorhill/cronexpr: seven
// fields are seconds … year, six are minute … year, five are minute … day-of-week. Ofelia reads
// robfig/cron v3 with an optional seconds field first, and `@every 5s`; Kubernetes reads five
// fields and the same `@every`. gitcron has no years and no `@every`, so a year must be `*` and an
// interval must divide the minute, hour or day evenly to come over.

import type { Finding } from "../jobs/findings.js";
import { checkSchedule } from "../schedule/cron.js";

export interface Converted {
  schedule: string;
  /** The schedule has six fields, seconds first. */
  seconds?: true;
  /** A `CRON_TZ=` or `TZ=` prefix of the source's schedule. */
  timezone?: string;
  /** What changed on the way, said above `schedule:`. */
  comment?: string;
}

export type ScheduleResult = Converted | { refused: Finding };

const refused = (message: string, hint?: string): { refused: Finding } => ({
  refused: { rule: "import.schedule", message, ...(hint ? { hint } : {}) },
});

/** A cronexpr year field: `*`, `?`, years, ranges and steps of years. */
const YEAR = /^(\*|\?|(\*|\d{4}(-\d{4})?)(\/\d+)?(,\d{4}(-\d{4})?(\/\d+)?)*)$/;

const parses = (expr: string): boolean => checkSchedule(expr, "UTC").ok;

/** Six fields with seconds first become five when the seconds are `0`. */
function fromSecondsFirst(fields: readonly string[]): Converted {
  if (fields[0] === "0") return { schedule: fields.slice(1).join(" ") };
  return { schedule: fields.join(" "), seconds: true };
}

/** A crontab line as supercronic splits it: the longest schedule that parses (seven fields,
 * six, five, or a macro), then at least one word of command. */
export function splitCrontabLine(
  line: string,
): { schedule: string; fields: string[]; command: string } | undefined {
  const words = [...line.matchAll(/\S+/g)];
  for (const count of [7, 6, 5, 1]) {
    if (words.length <= count) continue;
    const fields = words.slice(0, count).map((m) => m[0]);
    const command = line.slice(words[count]?.index ?? line.length).trimEnd();
    const year = fields[count - 1] as string;
    const ok =
      count === 7
        ? YEAR.test(year) && parses(fields.slice(0, 6).join(" "))
        : count === 6
          ? YEAR.test(year) && parses(fields.slice(0, 5).join(" "))
          : count === 5
            ? parses(fields.join(" "))
            : fields[0]?.startsWith("@") === true;
    if (ok) return { schedule: fields.join(" "), fields, command };
  }
  return undefined;
}

/** supercronic's fields (from splitCrontabLine) as a gitcron schedule. */
export function fromSupercronic(fields: readonly string[]): ScheduleResult {
  const original = fields.join(" ");
  if (fields.length < 6) return { schedule: original };
  const year = fields[fields.length - 1] as string;
  if (year !== "*" && year !== "?") {
    return refused(
      `supercronic's year field "${year}" has no gitcron equivalent: gitcron has no years`,
      "remove the year (run it every year), or schedule the job by hand",
    );
  }
  const converted =
    fields.length === 7
      ? fromSecondsFirst(fields.slice(0, 6))
      : { schedule: fields.slice(0, 5).join(" ") };
  const read = fields.length === 7 ? "seconds … year" : "minute … year";
  return {
    ...converted,
    comment: `supercronic: "${original}" (${read}); the year "${year}" is dropped`,
  };
}

const GO_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration (`90s`, `1h30m`, `1.5h`) in milliseconds; undefined if it is not one. */
export function goDurationMs(text: string): number | undefined {
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g))
    ms += Number(m[1]) * (GO_UNITS_MS[m[2] as string] ?? 0);
  return Math.round(ms);
}

/** `@every D` as the cron schedule that fires at the same pace, aligned on the clock. */
function fromEvery(text: string): ScheduleResult {
  const ms = goDurationMs(text);
  if (ms === undefined) return refused(`"@every ${text}" is not an interval like 5s, 10m or 2h`);
  // robfig/cron rounds an interval under a second up to one, and truncates fractions of one.
  const s = Math.max(1, Math.floor(ms / 1000));
  const step = (n: number, field: string) => (n === 1 ? "*" : `*/${n}`) + field;
  let converted: Converted | undefined;
  if (s >= 1 && s < 60 && 60 % s === 0)
    converted = { schedule: `${step(s, "")} * * * * *`, seconds: true };
  else if (s % 60 === 0 && s < 3600 && 60 % (s / 60) === 0)
    converted = { schedule: `${step(s / 60, "")} * * * *` };
  else if (s % 3600 === 0 && s <= 86_400 && 24 % (s / 3600) === 0)
    converted = { schedule: s === 86_400 ? "0 0 * * *" : `0 ${step(s / 3600, "")} * * *` };
  if (!converted) {
    return refused(
      `"@every ${text}" has no cron equivalent: it does not divide a minute, an hour or a day evenly`,
      'write a cron schedule for the job, e.g. every 10 minutes is "*/10 * * * *"',
    );
  }
  return {
    ...converted,
    comment: `was "@every ${text}", counted from when the scheduler started; gitcron fires on the clock`,
  };
}

/** A robfig/cron v3 schedule: Ofelia's (seconds optional) or Kubernetes' (five fields). */
export function fromRobfig(text: string, options: { seconds: boolean }): ScheduleResult {
  let rest = text.trim();
  let timezone: string | undefined;
  const zone = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(rest);
  if (zone) {
    timezone = zone[1];
    rest = rest.slice(zone[0].length);
  }
  const withZone = (r: ScheduleResult): ScheduleResult =>
    "refused" in r || !timezone ? r : { ...r, timezone };
  const every = /^@every\s+(\S+)$/i.exec(rest);
  if (every) return withZone(fromEvery(every[1] as string));
  const fields = rest.split(/\s+/);
  if (fields.length === 6 && options.seconds) return withZone(fromSecondsFirst(fields));
  return withZone({ schedule: rest });
}
