// Patterns in the agent's flags (--secret-env, --allow-volume): `*` is any run of characters,
// everything else is literal, and `{JOB}` (in --secret-env) stands for a job's name.

const JOB = "{JOB}";

/** A job's name as it appears in variable names: upper-cased, `-` as `_`. */
export const jobEnvName = (job: string): string => job.toUpperCase().replaceAll("-", "_");

/** Compiled once per pattern and job: every fromEnv of every file is matched against the same few. */
const compiled = new Map<string, RegExp>();

function compile(pattern: string, job: string | undefined): RegExp {
  const key = `${job ?? "\0any"}\0${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    const literal = (s: string) =>
      s
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    // Without a job, {JOB} stands for any job.
    const jobPart = job === undefined ? ".*" : literal(jobEnvName(job));
    re = new RegExp(`^${pattern.split(JOB).map(literal).join(jobPart)}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

/** Whether `name` matches one of the patterns, for `job` (or for any job when none is given). */
export const matchesGlob = (name: string, patterns: readonly string[], job?: string): boolean =>
  patterns.some((p) => compile(p, job).test(name));
