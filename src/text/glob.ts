// Patterns in the agent's flags (--secret-env, --allow-volume): `*` is any run of characters,
// everything else is literal, and `{JOB}` (in --secret-env) stands for a job's name.
//
// `{JOB}` is one whole job name, never a prefix of a longer one (SPEC §4). A job's name in a
// variable holds `_` (`nightly-report` → `NIGHTLY_REPORT`), so `SECRET_NIGHTLY_REPORT_TOKEN`
// could be job `nightly`'s `REPORT_TOKEN` as well as job `nightly-report`'s `TOKEN`. The rule
// that settles it without knowing which jobs exist: in a pattern holding `{JOB}`, `{JOB}` stands
// between `_` or the pattern's ends, and each `*` is one word (it matches no `_`). Each other
// part of the pattern then covers a fixed number of the variable's `_`-separated words, so the
// words left for `{JOB}` are fixed too: a variable belongs to one job at most.

const JOB = "{JOB}";

/** A job's name as it appears in variable names: upper-cased, `-` as `_`. */
export const jobEnvName = (job: string): string => job.toUpperCase().replaceAll("-", "_");

/** Why a pattern cannot be used, or undefined: `{JOB}` must not touch another character than
 * `_`, or the rule above could not tell two jobs' variables apart (`*{JOB}`, `SECRET{JOB}`). */
export function jobPatternProblem(pattern: string): string | undefined {
  const parts = pattern.split(JOB);
  const bounded = parts.every(
    (part, i) =>
      (i === 0 || part === "" || part.startsWith("_")) &&
      (i === parts.length - 1 || part === "" || part.endsWith("_")),
  );
  // `{JOB}{JOB}` leaves an empty part between two names: not bounded either.
  const glued = parts.slice(1, -1).includes("");
  return bounded && !glued
    ? undefined
    : `"${pattern}": {JOB} must stand between _ or the pattern's ends (e.g. SECRET_{JOB}_*)`;
}

/** Compiled once per pattern, and per job only for a pattern holding {JOB}: every fromEnv of
 * every file is matched against the same few (10,000 jobs and SECRET_*: one RegExp, not 10,000). */
const compiled = new Map<string, RegExp>();

const NOTHING = /(?!)/;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function compile(pattern: string, job: string | undefined): RegExp {
  // Without {JOB}, the job changes nothing in the RegExp; such a key holds no {JOB}, so it
  // cannot be one of the others.
  const key = pattern.includes(JOB) ? `${job ?? "\0any"}\0${pattern}` : pattern;
  let re = compiled.get(key);
  if (!re) {
    re = build(pattern, job);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

function build(pattern: string, job: string | undefined): RegExp {
  const hasJob = pattern.includes(JOB);
  // Without a job (what the redactor must know), {JOB} is any job and * any text.
  const star = hasJob && job !== undefined ? "[^_]*" : ".*";
  const literal = (s: string) => s.split("*").map(escapeRegExp).join(star);
  if (!hasJob) return new RegExp(`^${literal(pattern)}$`);
  if (job === undefined) return new RegExp(`^${pattern.split(JOB).map(literal).join(".*")}$`);
  // Refused at start-up; should one reach here, it gives no job anything.
  if (jobPatternProblem(pattern)) return NOTHING;
  return new RegExp(
    `^${pattern
      .split(JOB)
      .map(literal)
      .join(escapeRegExp(jobEnvName(job)))}$`,
  );
}

/** Whether `name` matches one of the patterns, for `job` (or for any job when none is given). */
export const matchesGlob = (name: string, patterns: readonly string[], job?: string): boolean =>
  patterns.some((p) => compile(p, job).test(name));
