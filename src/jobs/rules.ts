// The rules a JSON Schema cannot say: the schedule parses in its zone, the zone is
// real, durations and sizes parse, names are DNS labels, reserved labels stay ours.

import { posix } from "node:path";
import { runAllowanceMs } from "../schedule/gaps.js";
import { fieldCount } from "../schedule/six-fields.js";
import { durationAsWritten, parseDuration } from "../text/duration.js";
import type { Findings } from "./findings.js";
import type { ScheduleChecks } from "./schedule-checks.js";
import { MEMORY_SIZE, parseMemory } from "./units.js";
import { splitWords } from "./words.js";

type Raw = Record<string, unknown>;

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Docker refuses memory limits below 6 MiB. */
const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/** The job's name: `name`, else the file's base name without its extension. */
export const jobName = (job: Raw, file: string): string =>
  typeof job.name === "string"
    ? job.name
    : posix.basename(file.replace(/\\/g, "/")).replace(/\.ya?ml$/i, "");

export interface RuleContext {
  file: string;
  defaultTimezone: string;
  schedules: ScheduleChecks;
}

export function checkRules(job: Raw, context: RuleContext, findings: Findings): void {
  checkName(job, context.file, findings);
  const when = checkScheduleAndZone(job, context, findings);
  for (const key of ["timeout", "startingDeadline"] as const)
    checkDuration(job[key], [key], findings, true);
  if (job.expectSuccessWithin !== "auto") {
    checkDuration(job.expectSuccessWithin, ["expectSuccessWithin"], findings, true);
    if (when) checkExpectSuccess(job, when, context.schedules, findings);
  }
  checkDuration((job.retries as Raw | undefined)?.backoff, ["retries", "backoff"], findings, false);
  checkMemory(job, findings);
  checkWords(job, findings);
  checkLabels(job, findings);
}

function checkName(job: Raw, file: string, findings: Findings): void {
  if (job.name !== undefined) return; // the schema checks a given name
  const name = jobName(job, file);
  if (!DNS_LABEL.test(name)) {
    findings.add("error", [], "value", {
      rule: "name.invalid",
      message: `job name "${name}" (from the file name) is not a DNS label`,
      hint: "rename the file to lowercase letters, digits and '-' (at most 63), or set name:",
    });
  }
}

/** A valid schedule and the zone it is read in, for the rules that need its fire times. */
interface When {
  schedule: string;
  timezone: string;
}

/** Checks the zone and the schedule; returns them when both are valid. */
function checkScheduleAndZone(
  job: Raw,
  context: RuleContext,
  findings: Findings,
): When | undefined {
  let timezone = context.defaultTimezone;
  if (typeof job.timezone === "string") {
    if (context.schedules.isTimeZone(job.timezone)) timezone = job.timezone;
    else {
      findings.add("error", ["timezone"], "value", {
        rule: "timezone.unknown",
        message: `unknown time zone "${job.timezone}"`,
        hint: 'use an IANA zone name such as "Europe/Amsterdam", "America/New_York" or "UTC"',
      });
      return; // the schedule cannot be judged in a zone that does not exist
    }
  }
  if (typeof job.schedule !== "string" || job.schedule.trim() === "") return;
  const when = { schedule: job.schedule, timezone };
  const check = context.schedules.checkSchedule(job.schedule, timezone);
  if (!check.ok) {
    findings.add("error", ["schedule"], "value", {
      rule: check.rule,
      message: check.message,
      hint: check.hint,
    });
    return;
  }
  const six = fieldCount(job.schedule) === 6;
  if (job.seconds === true && !six) {
    findings.add("error", ["seconds"], "value", {
      rule: "cron.seconds",
      message: "seconds: true, but the schedule has no seconds field",
      hint: 'write six fields with seconds first, e.g. "0 0 3 * * *", or remove seconds: true',
    });
  } else if (job.seconds === false && six) {
    findings.add("error", ["seconds"], "value", {
      rule: "cron.seconds",
      message: "seconds: false, but the schedule has six fields",
      hint: "write five fields (minute hour day-of-month month day-of-week), or seconds: true",
    });
  } else if (six && job.seconds !== true) {
    // One finding for the value: it says the frequency too, when that is what goes wrong.
    const warning = context.schedules.sixFieldWarning(job.schedule, timezone);
    if (warning)
      findings.add("warning", ["schedule"], "value", { rule: "cron.seconds", ...warning });
  } else if (check.warning) {
    findings.add("warning", ["schedule"], "value", { rule: "cron.frequent", ...check.warning });
  }
  return when;
}

/** An expectSuccessWithin no longer than the wait between two runs makes the job late before
 * its next run even when every run succeeds: 3m on a weekly job is late all week. */
function checkExpectSuccess(job: Raw, when: When, checks: ScheduleChecks, findings: Findings) {
  const within = durationOrUndefined(job.expectSuccessWithin);
  if (within === undefined || within === 0) return; // not a duration: reported elsewhere
  const gap = checks.longestGapMs(when.schedule, when.timezone);
  if (gap === null || within > gap) return;
  const suggested = gap + runAllowanceMs(durationOrUndefined(job.timeout));
  findings.add("warning", ["expectSuccessWithin"], "value", {
    rule: "expectSuccessWithin.short",
    message: `expectSuccessWithin ${job.expectSuccessWithin} is ${within === gap ? "no longer than" : "shorter than"} the longest wait between two runs over the next year (${durationAsWritten(gap)}): the job will be late before its next run even when every run succeeds`,
    hint: `allow that wait and the run's time: expectSuccessWithin: ${durationAsWritten(suggested)}, or auto, which works it out from the schedule`,
  });
}

function durationOrUndefined(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined; // the schema and checkDuration report it
  }
}

function checkDuration(
  value: unknown,
  path: string[],
  findings: Findings,
  positive: boolean,
): void {
  if (typeof value !== "string") return;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (err) {
    // The schema already reports strings that are not durations; this catches overflow.
    if (/^([0-9]+(ms|s|m|h|d))+$/.test(value)) {
      findings.add("error", path, "value", {
        rule: "duration.range",
        message: (err as Error).message,
      });
    }
    return;
  }
  if (positive && ms === 0) {
    findings.add("error", path, "value", {
      rule: "duration.range",
      message: `${path.join(".")} must be longer than 0`,
      hint: `leave ${path.join(".")} out for no limit`,
    });
  }
}

function checkMemory(job: Raw, findings: Findings): void {
  const memory = (job.resources as Raw | undefined)?.memory;
  if (typeof memory !== "string" && typeof memory !== "number") return;
  let bytes: number;
  try {
    bytes = parseMemory(memory);
  } catch (err) {
    // A malformed value is the schema's to report; one that parses but overflows is ours.
    if (MEMORY_SIZE.test(String(memory).trim())) {
      findings.add("error", ["resources", "memory"], "value", {
        rule: "resources.memory",
        message: (err as Error).message,
        hint: "write a size Docker can take, e.g. 256Mi or 4Gi",
      });
    }
    return;
  }
  if (bytes < MIN_MEMORY_BYTES) {
    findings.add("error", ["resources", "memory"], "value", {
      rule: "resources.memory",
      message: `memory ${JSON.stringify(memory)} is ${bytes} bytes; Docker's minimum is 6 MiB`,
      hint: "write a unit: 256Mi, 1Gi, 512M",
    });
  }
}

function checkWords(job: Raw, findings: Findings): void {
  for (const key of ["entrypoint", "command"] as const) {
    const value = job[key];
    if (typeof value !== "string") continue;
    const split = splitWords(value);
    if (!split.ok) {
      findings.add("error", [key], "value", {
        rule: "command.quote",
        message: `${key} has an ${split.message}`,
        hint: "close the quote, or write the words as a list",
      });
    } else if (split.words.length === 0) {
      findings.add("error", [key], "value", { rule: "command.empty", message: `${key} is empty` });
    }
  }
}

function checkLabels(job: Raw, findings: Findings): void {
  const labels = job.labels;
  if (!labels || typeof labels !== "object") return;
  for (const key of Object.keys(labels)) {
    if (key.startsWith("gitcron.")) {
      findings.add("error", ["labels", key], "key", {
        rule: "labels.reserved",
        message: `label "${key}" is reserved: gitcron sets gitcron.* labels itself`,
        hint: "choose a key without the gitcron. prefix",
      });
    }
  }
}
