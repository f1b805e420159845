// `gitcron next SCHEDULE|FILE`: the next fire times, in the zone the agent would use.

import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { UsageError } from "../errors.js";
import type { Issue } from "../jobs/issues.js";
import { type Position, sourceMap } from "../jobs/positions.js";
import { renderText } from "../jobs/render.js";
import {
  checkSchedule,
  isTimeZone,
  nextTimes,
  parseSchedule,
  parseTimeInZone,
  ZoneCache,
  zoneFormatter,
} from "../schedule/cron.js";
import { type CliIO, type Command, parseFlags, writeLine } from "./command.js";

const MAX_COUNT = 1000;

const help = `Usage: gitcron next SCHEDULE|FILE [-n 5] [--timezone TZ] [--from TIME]

Print the next fire times of a cron schedule, or of a job file's schedule, one a line,
in ISO 8601 with the zone's offset (e.g. 2026-03-29T03:30:00+02:00); years past 9999
are ISO 8601 expanded years, as JavaScript writes them (+010000-01-01T00:00:00+00:00).

SCHEDULE is five fields (minute hour day-of-month month day-of-week), six with seconds
first, or a macro (@hourly @daily @midnight @weekly @monthly @yearly @annually). Quote it:
the shell expands a bare *.

Flags:
  -n, --count N      how many fire times (default 5, at most ${MAX_COUNT})
  --timezone TZ      IANA zone; overrides the job file's timezone (default UTC)
  --from TIME        start after this time instead of now: 2026-03-29, 2026-03-29T02:00,
                     or with an offset (…Z, …+02:00); without an offset it is read in
                     the schedule's zone

A time skipped by a DST jump fires once, within the hour after the jump (02:30 fires at
03:30 when the clock goes from 02:00 to 03:00); a time that happens twice fires once, the
first time. Schedules with fire times in every hour keep ticking on elapsed time through a
repeated hour.

Exit codes: 0 ok, 1 invalid schedule or job file, 2 bad flag.
`;

/** Where the schedule came from; `at` positions are known only for job files. */
interface Source {
  schedule: string;
  timezone: string;
  file?: string;
  scheduleAt?: Position;
  timezoneAt?: Position;
}

export const command: Command = {
  name: "next",
  summary: "print the next fire times of a schedule or job",
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      count: { type: "string", short: "n" },
      timezone: { type: "string" },
      from: { type: "string" },
    });
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? "give a schedule or a job file"
          : `expected one schedule or file, got ${positionals.length} arguments (quote the schedule: "0 3 * * *")`,
      );
    }
    const count = parseCount(values.count);
    if (values.timezone !== undefined && !isTimeZone(values.timezone)) {
      throw new UsageError(`--timezone "${values.timezone}" is not an IANA time zone`);
    }
    const source = await readSource(positionals[0] as string, io);
    if ("issue" in source) return report(io, [source.issue]);
    const timezone = values.timezone ?? source.timezone;

    const check = checkSchedule(source.schedule, timezone);
    if (!check.ok) {
      const { rule, message, hint } = check;
      const at = rule === "cron.timezone" ? source.timezoneAt : source.scheduleAt;
      return report(io, [{ ...issueAt(source, at), severity: "error", rule, message, hint }]);
    }
    if (check.warning) {
      const warning = { ...check.warning, rule: "cron.frequent", severity: "warning" as const };
      report(io, [{ ...issueAt(source, source.scheduleAt), ...warning }]);
    }

    const zones = new ZoneCache();
    const from = parseFrom(values.from, timezone, zones);
    const schedule = parseSchedule(source.schedule, timezone, { zones });
    const format = zoneFormatter(timezone, zones);
    for (const time of nextTimes(schedule, from, count)) writeLine(io.stdout, format(time));
    return 0;
  },
};

function parseCount(text: string | undefined): number {
  if (text === undefined) return 5;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_COUNT) {
    throw new UsageError(`-n must be a whole number from 1 to ${MAX_COUNT}, not "${text}"`);
  }
  return n;
}

function parseFrom(text: string | undefined, timezone: string, zones: ZoneCache): Date {
  if (text === undefined) return new Date();
  const from = parseTimeInZone(text, zones.get(timezone));
  if (!from) {
    throw new UsageError(
      `--from "${text}" is not a time like 2026-03-29, 2026-03-29T02:30 or 2026-03-29T02:30:00+02:00`,
    );
  }
  return from;
}

/** An existing file is a job file; anything else is the schedule itself. */
async function readSource(arg: string, io: CliIO): Promise<Source | { issue: Issue }> {
  // A blank argument is an empty schedule, which checkSchedule refuses as wrong input (exit 1);
  // as a path, "" would resolve to the working directory and be refused as "not a file".
  if (arg.trim() === "") return { schedule: arg, timezone: "UTC" };
  const file = path.resolve(io.cwd, arg);
  const kind = await stat(file).then(
    (s) => (s.isFile() ? "file" : "other"),
    () => "missing",
  );
  if (kind === "other") throw new UsageError(`${arg} is not a file; give one job file`);
  if (kind === "missing") {
    if (/\.ya?ml$/i.test(arg)) throw new UsageError(`${arg}: no such file`);
    return { schedule: arg, timezone: "UTC" };
  }
  return readJobFile(arg, await readFile(file, "utf8"));
}

/** Reads only `schedule` and `timezone`; `gitcron validate` judges the rest of the file. */
function readJobFile(file: string, text: string): Source | { issue: Issue } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = sourceMap(doc, lineCounter);
  const error = doc.errors[0];
  if (error) {
    const at = where.offset(error.pos[0]);
    const message = error.message.split("\n")[0] ?? "invalid YAML";
    return { issue: { file, ...at, severity: "error", rule: "yaml.syntax", message } };
  }
  const schedule: unknown = doc.get("schedule");
  const timezone: unknown = doc.get("timezone") ?? "UTC";
  const scheduleAt = where.at(["schedule"]);
  const timezoneAt = where.at(["timezone"]);
  if (typeof schedule !== "string") {
    const missing = schedule === undefined;
    return {
      issue: {
        file,
        ...scheduleAt,
        severity: "error",
        rule: missing ? "schema.required" : "schema.type",
        message: missing ? "the job has no schedule" : "schedule must be a string",
        hint: 'quote the cron expression, e.g. schedule: "0 3 * * *"',
      },
    };
  }
  if (typeof timezone !== "string") {
    const message = "timezone must be a string";
    return { issue: { file, ...timezoneAt, severity: "error", rule: "schema.type", message } };
  }
  return { schedule, timezone, file, scheduleAt, timezoneAt };
}

function issueAt(source: Source, at: Position | undefined): Pick<Issue, "file" | "line" | "col"> {
  return { file: source.file ?? "", line: at?.line ?? 1, col: at?.col ?? 1 };
}

/** Job files get `file:line:col: error: …`; a schedule on the command line just `error: …`. */
function report(io: CliIO, issues: Issue[]): number {
  for (const issue of issues) {
    const text = renderText([issue]);
    io.stderr.write(issue.file ? text : text.replace(/^:\d+:\d+: /, ""));
  }
  return issues.some((i) => i.severity === "error") ? 1 : 0;
}
