import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/secrets/redactor.js";
import { commitMessage, renderReadme } from "../../src/status/render.js";
import { formatDuration } from "../../src/text/duration.js";
import { state, summary } from "./fixtures.js";

describe("durations read as people write them", () => {
  it.each([
    [412, "412ms"],
    [7_488, "7.5s"],
    [7_000, "7s"],
    [59_940, "59.9s"],
    [123_000, "2m03s"],
    [3_600_000, "1h00m"],
    [3_900_000, "1h05m"],
    [183_600_000, "2d03h"],
  ])("%i ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("commit messages", () => {
  it("one run reads <job>: <outcome> (exit <code>, <duration>)", () => {
    expect(commitMessage([summary("nightly", 0)])).toBe("nightly: succeeded (exit 0, 7.5s)");
    const failed = summary("etl", 0, { outcome: "failed", exitCode: 3, durationMs: 123_000 });
    expect(commitMessage([failed])).toBe("etl: failed (exit 3, 2m03s)");
  });

  it("a run that never started says only its outcome", () => {
    const skipped = summary("etl", 0, {
      outcome: "skipped",
      exitCode: null,
      durationMs: null,
      startedAt: null,
    });
    expect(commitMessage([skipped])).toBe("etl: skipped");
  });

  it("a batch counts runs and groups them by job and outcome", () => {
    const message = commitMessage([
      summary("a", 0),
      summary("b", 0, { outcome: "failed", exitCode: 1 }),
      summary("a", 1),
    ]);
    const [subject, blank, ...body] = message.split("\n");
    expect(subject).toBe("3 runs: a: succeeded ×2, b: failed");
    expect(blank).toBe("");
    expect(body).toHaveLength(3);
    expect(body[1]).toBe(`${summary("b", 0).run}: b: failed (exit 1, 7.5s)`);
  });

  it("a large batch keeps the subject short and says how many were left out", () => {
    const runs = Array.from({ length: 120 }, (_, i) => summary(`job-${i}`, i));
    const [subject, , ...body] = commitMessage(runs).split("\n");
    expect(subject?.startsWith("120 runs: job-0: succeeded, job-1: succeeded")).toBe(true);
    expect(subject?.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/, … \+\d+ more$/);
    expect(body).toHaveLength(51);
    expect(body.at(-1)).toBe("… and 70 more");
  });

  it("credentials in a message are removed by the redactor the writer passes it through", () => {
    const s = summary("x", 0, { job: "x", outcome: "failed" });
    s.job = "x https://bob:hunter2@git.example.com/r.git";
    expect(createRedactor([]).redact(commitMessage([s]))).not.toContain("hunter2");
  });
});

describe("the status README", () => {
  const lastRuns = {
    nightly: summary("nightly", 0),
    etl: summary("etl", 1, {
      outcome: "failed",
      exitCode: 2,
      durationMs: 123_000,
      reason: "exit | code",
    }),
    gone: summary("gone", 2),
  };
  const current = state(["nightly", "etl"], {
    rejected: [
      {
        file: "jobs/broken.yaml",
        issues: [
          {
            file: "jobs/broken.yaml",
            line: 3,
            col: 11,
            severity: "error",
            rule: "cron.syntax",
            message: "minute field: 61 is out of range",
          },
        ],
      },
    ],
  });
  const readme = renderReadme({
    state: current,
    runs: { last: new Map(Object.entries(lastRuns)), started: new Map() },
    branch: "gitcron-status",
    now: new Date("2026-11-26T12:00:00Z"),
  });

  it("has one row per job with schedule, outcome, exit code, duration, start and next run", () => {
    const row = readme.split("\n").find((l) => l.startsWith("| etl |"));
    expect(row).toBeDefined();
    const cells = row?.split(/(?<!\\)\|/).map((c) => c.trim()) ?? [];
    expect(cells[2]).toContain("`0 3 * * MON` Europe/Amsterdam");
    expect(cells[2]).toContain("Monday");
    expect(cells[3]).toBe("❌ failed (exit \\| code)");
    expect(cells[4]).toBe("2");
    expect(cells[5]).toBe("2m03s");
    // In the job's zone (Europe/Amsterdam), to the second.
    expect(lastRuns.etl.startedAt).toBe("2026-11-26T03:01:00.400Z");
    expect(cells[6]).toBe("2026-11-26 04:01:00 +01:00");
    // Worked out from the schedule when the README is written: Monday 03:00 in Amsterdam.
    expect(cells[7]).toBe("2026-11-30 03:00:00 +01:00");
  });

  it("keeps a removed job's last run, marked as removed", () => {
    expect(readme).toMatch(/^\| gone \(removed\) \| — \| ✅ succeeded \|/m);
  });

  it("lists rejected files as file:line:col with the message", () => {
    expect(readme).toContain("## Rejected files");
    expect(readme).toContain("- `jobs/broken.yaml:3:11` error: minute field: 61 is out of range");
  });

  it("works before the first sync and with no jobs", () => {
    const empty = renderReadme({
      state: null,
      runs: { last: new Map(), started: new Map() },
      branch: "s",
      now: new Date(),
    });
    expect(empty).toContain("| (no jobs) |");
  });

  it("shows text from files and runs as text: no heading, link, image or HTML can be forged", () => {
    const forged =
      "x\n# Owned\n[click](https://evil.example/) ![](https://evil.example/p.png) <img src=https://evil.example/i.png> *bold* `code` | cell";
    const hostile = state(["a"], {
      rejected: [
        {
          file: forged,
          issues: [
            { file: forged, line: 1, col: 1, severity: "error", rule: forged, message: forged },
          ],
        },
      ],
    });
    const runs = { a: { ...lastRuns.gone, job: "a", reason: forged } };
    const text = renderReadme({
      state: hostile,
      runs: { last: new Map(Object.entries(runs)), started: new Map() },
      branch: "s",
      now: new Date(),
    });
    // Every line is the renderer's own: none starts with what a file said.
    expect(text.split("\n").filter((l) => l.startsWith("# "))).toEqual(["# gitcron status (`s`)"]);
    // Inside a code span Markdown and HTML mean nothing; outside, nothing may be live.
    const outsideCode = text.replace(/(`+)[^`].*?\1/g, "");
    expect(outsideCode).not.toMatch(/<img|(?<!\\)\]\(/);
    expect(text).toContain("\\[click\\](https\u200B://evil.example/)");
    expect(text).toContain("&lt;img src=https\u200B://evil.example/i.png&gt;");
    expect(text).toContain("\\*bold\\*");
    // The rows still have seven cells.
    const row = text.split("\n").find((l) => l.startsWith("| a |")) ?? "";
    expect(row.split(/(?<!\\)\|/)).toHaveLength(9);
  });
});
