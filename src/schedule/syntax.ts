// Cron syntax in gitcron's terms: how many fields, which macros, what a year looks like, and
// what the field grammar allows but a user almost never means. fields.ts reads the fields.

/** Why a schedule was refused: a stable rule id, a sentence, and what to do about it. */
export interface ScheduleProblem {
  rule: string;
  message: string;
  hint?: string;
}

export class ScheduleError extends Error implements ScheduleProblem {
  override name = "ScheduleError";
  readonly rule: string;
  readonly hint?: string;
  constructor(problem: ScheduleProblem) {
    super(problem.message);
    this.rule = problem.rule;
    this.hint = problem.hint;
  }
}

/** The seven macros of SPEC §1, spelled as five-field expressions. */
const MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const FIVE = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;
const SIX = ["second", ...FIVE] as const;
/** Lowest and highest value of each field, for the step check (day-of-week allows 7 = Sunday). */
export const FIELD_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  "day-of-month": [1, 31],
  month: [1, 12],
  "day-of-week": [0, 7],
};

export const FIELDS_HINT =
  'write five fields (minute hour day-of-month month day-of-week), e.g. "0 3 * * MON", or six with seconds first';

/** A schedule as five or six fields, with the names of its fields. */
export interface NormalisedSchedule {
  /** Five or six whitespace-separated fields; macros already expanded. */
  readonly source: string;
  readonly fields: readonly string[];
  readonly fieldNames: readonly string[];
}

/** Checks the shape of an expression and expands macros; throws ScheduleError. */
export function normaliseExpression(expr: string): NormalisedSchedule {
  const trimmed = expr.trim();
  if (trimmed === "") {
    throw new ScheduleError({
      rule: "cron.syntax",
      message: "the schedule is empty",
      hint: FIELDS_HINT,
    });
  }
  const source = trimmed.startsWith("@") ? expandMacro(trimmed) : trimmed;
  const fields = source.split(/\s+/);
  checkFieldCount(fields);
  const fieldNames = fields.length === 6 ? SIX : FIVE;
  // "FRI-SUN" means Friday to Sunday; read as 5-0 the range would run backwards.
  const weekday = fields.length - 1;
  fields[weekday] = (fields[weekday] as string).replace(/-SUN\b/gi, "-7");
  for (const [i, field] of fields.entries()) checkField(fieldNames[i] as string, field);
  return { source: fields.join(" "), fields, fieldNames };
}

function expandMacro(macro: string): string {
  const expanded = MACROS[macro.toLowerCase()];
  if (expanded) return expanded;
  const known = Object.keys(MACROS).join(" ");
  const hint =
    macro.toLowerCase() === "@reboot"
      ? `gitcron starts jobs on a schedule only; use one of ${known} or a cron expression`
      : `use one of ${known}, or a cron expression`;
  return fail("cron.macro", `unknown macro "${macro}"`, hint);
}

function checkFieldCount(fields: string[]): void {
  const n = fields.length;
  const last = fields[n - 1] ?? "";
  const looksLikeYear = /\d{4}/.test(last);
  if ((n === 6 || n === 7) && looksLikeYear) {
    const hint =
      n === 7
        ? `drop the year: "${fields.slice(0, 6).join(" ")}" (six fields, seconds first)`
        : "remove the year: five fields are minute hour day-of-month month day-of-week; six put seconds first";
    fail("cron.years", `years are not supported: the last field "${last}" looks like a year`, hint);
  }
  if (n < 5 || n > 6) {
    fail(
      "cron.fields",
      `the schedule has ${n} field${n === 1 ? "" : "s"}; gitcron takes five, or six with seconds first`,
      FIELDS_HINT,
    );
  }
}

/** What the grammar allows but a user almost never means. */
function checkField(name: string, field: string): void {
  if (field === "*" || /^\d+$/.test(field)) return;
  for (const token of field.split(",")) {
    if (/^H(\(|\/|$)/i.test(token)) {
      failField(
        name,
        field,
        '"H" (a hashed value) is not supported',
        `pick a fixed ${name}, e.g. 17`,
      );
    }
    const step = /^(\*|\d+)(?:-(\d+))?\/(\d+)$/.exec(token);
    if (!step) continue;
    const [fieldLo, fieldHi] = FIELD_RANGES[name] ?? [0, 59];
    const lo = step[1] === "*" ? fieldLo : Number(step[1]);
    const hi = step[2] === undefined ? fieldHi : Number(step[2]);
    if (Number(step[3]) > hi - lo && hi > lo) {
      failField(
        name,
        field,
        `a step of ${step[3]} is wider than ${lo}–${hi}, so it fires only at ${lo}`,
        `steps restart with every larger unit; if ${lo} is what you mean, write "${lo}"`,
      );
    }
  }
}

/** Refuses one field, naming it: `hour field "24": 24 is outside 0–23`. */
export function failField(name: string, text: string, what: string, hint?: string): never {
  const separator = what.startsWith("is ") ? " " : ": ";
  throw new ScheduleError({
    rule: "cron.syntax",
    message: `${name} field "${text}"${separator}${what}`,
    ...(hint ? { hint } : {}),
  });
}

function fail(rule: string, message: string, hint: string): never {
  throw new ScheduleError({ rule, message, hint });
}
