// `{JOB}` in --secret-env patterns (SPEC §4): one whole job name, never a prefix of a longer
// one, whatever other jobs exist.

import { describe, expect, test } from "vitest";
import { policyFromSettings } from "../../src/jobs/policy-settings.js";
import { jobPatternProblem, matchesGlob } from "../../src/text/glob.js";

const JOBS = ["nightly", "nightly-report", "nightly-report-token", "a", "a-b", "a--b", "b"];

describe("{JOB} in --secret-env", () => {
  test("job nightly never reads nightly-report's variables", () => {
    const patterns = ["SECRET_{JOB}_*"];
    expect(matchesGlob("SECRET_NIGHTLY_REPORT_TOKEN", patterns, "nightly")).toBe(false);
    expect(matchesGlob("SECRET_NIGHTLY_REPORT_TOKEN", patterns, "nightly-report")).toBe(true);
    expect(matchesGlob("SECRET_NIGHTLY_TOKEN", patterns, "nightly")).toBe(true);
  });

  test("a * in a pattern with {JOB} is one word: it matches no _", () => {
    expect(matchesGlob("SECRET_NIGHTLY_DB_PASSWORD", ["SECRET_{JOB}_*"], "nightly")).toBe(false);
    expect(matchesGlob("SECRET_NIGHTLY_DBPASSWORD", ["SECRET_{JOB}_*"], "nightly")).toBe(true);
    // Patterns without {JOB} keep * as any run of characters.
    expect(matchesGlob("SECRET_NIGHTLY_DB_PASSWORD", ["SECRET_*"], "nightly")).toBe(true);
  });

  test.each([
    "SECRET_{JOB}_*",
    "SECRET_{JOB}",
    "*_{JOB}_*",
    "*_{JOB}",
    "{JOB}_*",
    "S*_{JOB}_K*",
    "X_{JOB}_{JOB}_*",
  ])("under %s every variable belongs to at most one job", (pattern) => {
    const words = ["SECRET", "S", "X", "NIGHTLY", "REPORT", "TOKEN", "A", "B", "", "K1"];
    // Every variable of up to five words over these: each is read by no job or by one.
    let variables = [""];
    for (let n = 0; n < 5; n++)
      variables = [...variables, ...variables.flatMap((v) => words.map((w) => `${v}_${w}`))];
    const shared = [...new Set(variables.map((v) => v.slice(1)))]
      .map((v) => [v, JOBS.filter((job) => matchesGlob(v, [pattern], job))] as const)
      .filter(([, jobs]) => jobs.length > 1);
    expect(shared).toEqual([]);
  });

  test.each(["SECRET{JOB}_*", "SECRET_{JOB}*", "*{JOB}", "{JOB}X_*", "SECRET_*{JOB}"])(
    "%s, where {JOB} does not stand between _ or the pattern's ends, is refused and matches nothing",
    (pattern) => {
      expect(jobPatternProblem(pattern)).toMatch(/\{JOB\} must stand between _/);
      expect(() => policyFromSettings({ secretEnv: `SECRET_*,${pattern}` })).toThrow(
        /--secret-env .*\{JOB\} must stand between _/,
      );
      for (const job of JOBS) expect(matchesGlob("SECRETA_B", [pattern], job)).toBe(false);
    },
  );

  test("without a job (the redactor), {JOB} is any text", () => {
    expect(matchesGlob("SECRET_NIGHTLY_REPORT_DB_KEY", ["SECRET_{JOB}_*"])).toBe(true);
    expect(jobPatternProblem("SECRET_{JOB}_*")).toBeUndefined();
    expect(jobPatternProblem("SECRET_*")).toBeUndefined();
  });
});
