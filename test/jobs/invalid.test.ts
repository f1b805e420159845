// Every way a job file can be wrong, each with the exact place and rule a user is shown.

import { describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { BASE, invalidCases as cases } from "./invalid-cases.js";

describe("an invalid job file is refused at the key or value at fault", () => {
  test.each(cases)("$name → $line:$col $rule", (c) => {
    const policy = { ...defaultPolicy(), ...c.policy };
    const file = c.file ?? "jobs/job.yaml";
    const result = parseJobFile(c.text, file, {
      policy,
      defaultTimezone: "UTC",
      maxBytes: c.maxBytes,
    });
    const errors = result.issues.filter((i) => i.severity === "error");
    expect(errors.map(({ line, col, rule }) => ({ line, col, rule }))).toEqual([
      { line: c.line, col: c.col, rule: c.rule },
    ]);
    expect(errors[0]?.file).toBe(file);
    if (c.says) expect(errors[0]?.message).toContain(c.says);
    expect(result.spec).toBeUndefined();
  });

  test("the table covers at least 30 distinct failures", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBeGreaterThanOrEqual(30);
  });
});

describe("hints say what to do", () => {
  const first = (text: string) =>
    parseJobFile(text, "job.yaml", { policy: defaultPolicy(), defaultTimezone: "UTC" }).issues[0];

  test("a duration written as a bare number gets its unit suggested", () => {
    expect(first(`${BASE}timeout: 15\n`)?.hint).toBe(
      "write the duration with its unit, e.g. 15s or 15m",
    );
  });

  test("a duplicated key, a tab and a colon in a value say what to write instead", () => {
    expect(first(`${BASE}image: b\n`)?.hint).toMatch(/^keep one of them/);
    expect(first(`${BASE}env:\n\tA: "1"\n`)?.hint).toBe(
      "indent with spaces (two per level is usual)",
    );
    expect(first(`${BASE}command: echo a: b\n`)?.hint).toMatch(/^quote the whole value/);
  });

  test("a typo suggests the field it most likely meant", () => {
    expect(first(`${BASE}working_dir: /app\n`)?.hint).toBe('did you mean "workingDir"?');
    expect(first(`${BASE}shedule: x\n`)?.hint).toBe('did you mean "schedule"?');
  });

  test("privileged explains that gitcron never runs privileged containers", () => {
    expect(first(`${BASE}privileged: true\n`)?.hint).toMatch(/never runs privileged containers/);
  });

  test("an unquoted * schedule tells the user to quote it", () => {
    expect(first("image: x\nschedule: */5 * * * *\n")?.hint).toMatch(/quote it/);
  });

  test("several errors in one file are all reported, in place", () => {
    const issues = parseJobFile(
      `${BASE}overlap: never\nnetwork: host\ntimeout: soon\n`,
      "job.yaml",
      {
        policy: defaultPolicy(),
        defaultTimezone: "UTC",
      },
    ).issues;
    expect(issues.map((i) => `${i.line}:${i.rule}`).sort()).toEqual([
      "3:schema.enum",
      "4:policy.network",
      "5:schema.pattern",
    ]);
  });
});

describe("type errors name what was expected and what was found", () => {
  test("an empty env value lists the accepted kinds", () => {
    const [issue] = parseJobFile(`${BASE}env:\n  A:\n`, "job.yaml", {
      policy: defaultPolicy(),
      defaultTimezone: "UTC",
    }).issues;
    expect(issue).toMatchObject({ line: 4, col: 5, rule: "schema.type" });
    expect(issue?.message).toBe(
      "env.A must be a string, a number, true or false or a mapping, not empty",
    );
  });
});
