import { describe, expect, it } from "vitest";
import { renderStepSummary, type StepSummaryInput } from "../../src/action/summary.js";
import type { Issue } from "../../src/jobs/issues.js";
import { jobSpec } from "../helpers/spec-factory.js";

const NOW = new Date("2026-03-27T12:00:00Z");

const base = (over: Partial<StepSummaryInput> = {}): StepSummaryInput => ({
  specs: [],
  issues: [],
  files: 0,
  jobsRoot: ".",
  now: NOW,
  ...over,
});

const issue = (over: Partial<Issue>): Issue => ({
  file: "jobs/a.yaml",
  line: 1,
  col: 1,
  severity: "error",
  rule: "schema.required",
  message: "missing",
  ...over,
});

describe("the step summary", () => {
  it("lists each job with its schedule in words, zone and next three runs in that zone", () => {
    const md = renderStepSummary(
      base({
        specs: [
          jobSpec({
            name: "report",
            file: "report.yaml",
            schedule: "30 2 * * *",
            timezone: "Europe/Amsterdam",
          }),
        ],
        files: 1,
        jobsRoot: "jobs",
      }),
    );
    // 29 March 2026 is the spring-forward day: 02:30 does not exist and fires at 03:30 +02:00.
    expect(md).toContain(
      "| `report` | `jobs/report.yaml` | `30 2 * * *` | At 02:30 AM | Europe/Amsterdam | " +
        "2026-03-28T02:30:00+01:00<br>2026-03-29T03:30:00+02:00<br>2026-03-30T02:30:00+02:00 |",
    );
    expect(md).toMatch(/^## gitcron: 1 job\n\n1 file checked: 0 errors, 0 warnings\.\n/);
  });

  it("sorts jobs by name and says when a job is suspended instead of its next runs", () => {
    const md = renderStepSummary(
      base({
        specs: [
          jobSpec({ name: "zeta", schedule: "@daily" }),
          jobSpec({ name: "alpha", suspended: true }),
        ],
      }),
    );
    expect(md.indexOf("`alpha`")).toBeLessThan(md.indexOf("`zeta`"));
    expect(md).toMatch(/\| `alpha` \|.*\| suspended \|/);
    expect(md).toContain("At 12:00 AM | UTC | 2026-03-28T00:00:00+00:00<br>");
  });

  it("puts errors and warnings in their own tables with location, rule and hint", () => {
    const md = renderStepSummary(
      base({
        files: 2,
        issues: [
          issue({
            line: 3,
            col: 5,
            message: 'unknown field "imagee"',
            hint: 'did you mean "image"?',
          }),
          issue({ severity: "warning", rule: "cron.frequent", message: "fires every 10 seconds" }),
        ],
      }),
    );
    expect(md).toContain("2 files checked: 1 error, 1 warning.");
    const errors = md.slice(md.indexOf("### Errors"), md.indexOf("### Warnings"));
    expect(errors).toContain("| `jobs/a.yaml:3:5` | `schema.required` |");
    expect(errors).toContain('unknown field "imagee"<br>hint: did you mean "image"?');
    expect(md.slice(md.indexOf("### Warnings"))).toContain(
      "| `cron.frequent` | fires every 10 seconds |",
    );
    expect(md).not.toContain("| job | file |");
  });

  it("shows the plan as a diff block, with the applied revision and the jobs kept", () => {
    const md = renderStepSummary(
      base({
        plan: {
          branch: "gitcron-status",
          revision: "0123456789abcdef0123",
          kept: ["broken"],
          entries: [
            { action: "add", job: "new", file: "new.yaml" },
            { action: "change", job: "report", file: "report.yaml", fields: ["schedule"] },
            { action: "remove", job: "old", file: "old.yaml" },
            { action: "same", job: "steady", file: "steady.yaml" },
          ],
        },
      }),
    );
    expect(md).toContain("### Plan against `gitcron-status`");
    expect(md).toContain("(the agent has applied `0123456789ab`)");
    const block = md.slice(md.indexOf("```diff\n") + 8, md.lastIndexOf("\n```"));
    expect(block.split("\n").map((l) => l.slice(0, 2))).toEqual(["+ ", "~ ", "- ", "= ", "1 "]);
    expect(block).toContain("report (schedule)");
    expect(md).toContain("Left as they run now, because their file is invalid: `broken`.");
  });

  it("says why there is no plan when the status branch cannot be read", () => {
    const md = renderStepSummary(
      base({
        plan: { branch: "gitcron-status", reason: 'origin has no branch "gitcron-status" yet' },
      }),
    );
    expect(md).toContain('No plan: origin has no branch "gitcron-status" yet.');
    expect(md).not.toContain("```diff");
  });
});
