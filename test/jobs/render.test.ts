// The three renderings of one list of findings.

import { describe, expect, test } from "vitest";
import type { Issue } from "../../src/jobs/issues.js";
import {
  countIssues,
  renderGithub,
  renderJson,
  renderSummary,
  renderText,
  sortIssues,
} from "../../src/jobs/render.js";

const issues: Issue[] = [
  {
    file: "jobs/b.yaml",
    line: 3,
    col: 10,
    severity: "error",
    rule: "policy.network",
    message: 'network "host" is not allowed',
    hint: "name a Docker network",
  },
  {
    file: "jobs/a.yaml",
    line: 2,
    col: 11,
    severity: "warning",
    rule: "cron.frequent",
    message: "fires every second, 100%: a, b",
  },
];

describe("renderers", () => {
  test("text reads path:line:col: severity: message [rule], the hint indented below", () => {
    expect(renderText(sortIssues(issues))).toBe(
      [
        "jobs/a.yaml:2:11: warning: fires every second, 100%: a, b [cron.frequent]",
        'jobs/b.yaml:3:10: error: network "host" is not allowed [policy.network]',
        "    hint: name a Docker network",
        "",
      ].join("\n"),
    );
  });

  test("the summary counts files, errors and warnings", () => {
    expect(renderSummary(countIssues(issues, 3))).toBe("3 files, 1 error, 1 warning\n");
    expect(renderSummary(countIssues([], 1))).toBe("1 file, 0 errors, 0 warnings\n");
  });

  test("json carries the counts and every field of every issue", () => {
    const parsed = JSON.parse(renderJson(issues, countIssues(issues, 2)));
    expect(parsed).toEqual({ ok: false, files: 2, errors: 1, warnings: 1, issues });
  });

  test("github annotations use paths relative to the working directory and escape their data", () => {
    const lines = renderGithub(
      issues.map((i) => ({ ...i, file: `/work/repo/${i.file}` })),
      "/work/repo",
    ).split("\n");
    expect(lines[0]).toBe(
      '::error file=jobs/b.yaml,line=3,col=10,title=gitcron policy.network::network "host" is not allowed%0Aname a Docker network',
    );
    expect(lines[1]).toBe(
      "::warning file=jobs/a.yaml,line=2,col=11,title=gitcron cron.frequent::fires every second, 100%25: a, b",
    );
  });

  test("github property values escape ':' and ','", () => {
    const odd: Issue = {
      file: "a,b:c.yaml",
      line: 1,
      col: 1,
      severity: "error",
      rule: "x",
      message: "m",
    };
    expect(renderGithub([odd], "/")).toMatch(/^::error file=a%2Cb%3Ac.yaml,line=1,col=1,/);
  });
});
