// The status page as HTML: states, order, table semantics, outcomes in words, the chart, and
// hostile text from files and runs shown as text in every field.

import { describe, expect, it } from "vitest";
import { barGeometry, CHART, chartLabel } from "../../src/page/chart.js";
import { byAttention, jobRow, stateOf } from "../../src/page/model.js";
import { indexPage, jobPage, loginPage } from "../../src/page/render.js";
import { jobSpec } from "../helpers/spec-factory.js";
import { NOW, pageModel, row, summary, view } from "./fixtures.js";

const words = (s: string) => `words for ${s}`;
const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror=alert(1)>"'`;

describe("a job's state", () => {
  it.each([
    ["running", { running: { runId: "r", phase: "running" as const, scheduledAt: NOW } }, false],
    [
      "queued",
      { running: { runId: "r", phase: "waiting-slot" as const, scheduledAt: NOW } },
      false,
    ],
    ["queued", { queued: { scheduledAt: NOW, merged: 0 } }, false],
    ["suspended", { spec: jobSpec({ name: "a", suspended: true }) }, false],
    ["late", {}, true],
    ["idle", {}, false],
  ])("is %s", (state, extra, late) => {
    expect(stateOf(view("a", extra), late)).toBe(state);
  });

  it("takes the last run from the branch when the scheduler has none (after a restart)", () => {
    const runs = [summary("a", "succeeded"), summary("a", "failed")];
    const r = jobRow({ view: view("a"), runs, late: false, rejected: false, words });
    expect(r.last).toMatchObject({ outcome: "failed", exitCode: 3 });
    expect(r.failing).toBe(true);
    expect(r.runs).toHaveLength(2);
    expect(r.scheduleWords).toBe("words for * * * * *");
  });

  it("adds the scheduler's newer last run to the chart while the branch does not hold it yet", () => {
    const onBranch = summary("a", "succeeded");
    const newer = summary("a", "timeout");
    const r = jobRow({
      view: view("a", { last: newer }),
      runs: [onBranch],
      late: false,
      rejected: false,
      words,
    });
    expect(r.runs.map((b) => b.outcome)).toEqual(["succeeded", "timeout"]);
    expect(r.last?.outcome).toBe("timeout");
  });
});

describe("the order of the jobs", () => {
  it("puts failing, then late, then rejected first, then the rest by name", () => {
    const rows = [
      row("b"),
      row("rej", { rejected: true }),
      row("late", { state: "late" }),
      row("z-fail", { failing: true }),
      row("a"),
      row("a-fail", { failing: true }),
    ];
    expect(rows.sort(byAttention).map((r) => r.name)).toEqual([
      "a-fail",
      "z-fail",
      "late",
      "rej",
      "a",
      "b",
    ]);
  });
});

describe("the index page", () => {
  const model = pageModel(
    [
      row("nightly", {
        failing: true,
        last: { outcome: "failed", exitCode: 3, at: "2026-12-02T11:00:00.000Z" },
        runs: [
          { run: "1", outcome: "succeeded", durationMs: 1000, at: "x" },
          { run: "2", outcome: "failed", durationMs: 500, at: "y" },
        ],
      }),
      row("quiet", { state: "suspended" }),
    ],
    {
      rejected: [
        {
          file: "bad.yaml",
          issues: [{ line: 3, col: 1, rule: "schema.required", message: "image is required" }],
        },
      ],
    },
  );
  const page = String(indexPage(model));

  it("is a table with a caption, column and row headers", () => {
    expect(page).toContain('<table id="jobs">');
    expect(page).toMatch(/<caption>[^<]+<\/caption>/);
    expect(page.match(/<th scope="col">/g)).toHaveLength(6);
    expect(page.match(/<th scope="row">/g)).toHaveLength(2);
    expect(page).toMatch(/<h1>gitcron<\/h1>[\s\S]*<h2 id="jobs-h">Jobs<\/h2>/);
  });

  it("says outcomes and states in words, with the exit code and times", () => {
    expect(page).toContain('<span class="outcome failed">failed, exit 3</span>');
    expect(page).toContain('<span class="state suspended">suspended</span>');
    expect(page).toContain('<span class="flag bad">failing</span>');
    expect(page).toContain("1 h ago");
    expect(page).toContain("2026-12-02 11:00:00 UTC");
    expect(page).toContain("in 5 min");
  });

  it("shows a job's times in its own zone, to the second", () => {
    const nightly = row("nightly", {
      timezone: "Europe/Amsterdam",
      nextRunAt: "2026-12-06T01:30:00.000Z",
    });
    const amsterdam = String(indexPage(pageModel([nightly])));
    expect(amsterdam).toContain('<span class="abs">2026-12-06 02:30:00 +01:00</span>');
  });

  it("lists rejected files with their errors, the revision, the last sync and sync errors", () => {
    expect(page).toContain("Rejected files (1)");
    expect(page).toContain("line 3, column 1: image is required");
    expect(page).toContain("0123456789abcdef0123456789abcdef01234567");
    expect(page).toContain("2026-12-02 11:59:30 UTC");
    expect(page).toMatch(/Sync errors<\/dt><dd>0/);
  });

  it("names the leading agent, and says when this one stands by", () => {
    const leader = { host: "cron-b.example", pid: 41 };
    expect(String(indexPage(pageModel([row("a")], { leader: { ...leader, self: true } })))).toMatch(
      /Leader<\/dt><dd>cron-b\.example \(pid 41\) — this agent<\/dd>/,
    );
    expect(
      String(indexPage(pageModel([row("a")], { leader: { ...leader, self: false } }))),
    ).toContain("cron-b.example (pid 41) — this agent stands by");
  });

  it("loads only its own stylesheet and script, and has no inline script or style", () => {
    expect(page).toContain('<script src="/assets/page.js" defer></script>');
    expect(page).not.toMatch(/<script>|<script [^s]|<style|\sstyle=|\son[a-z]+=/);
    expect(page).not.toMatch(/https?:\/\//);
  });
});

describe("the chart", () => {
  const bars = [
    { run: "1", outcome: "succeeded" as const, durationMs: 2000, at: "" },
    { run: "2", outcome: "failed" as const, durationMs: 1000, at: "" },
    { run: "3", outcome: "skipped" as const, durationMs: null, at: "" },
  ];

  it("puts succeeded runs above the baseline, failed ones below it, skipped ones on it", () => {
    const [ok, bad, skipped] = barGeometry(bars);
    expect(ok).toEqual({ kind: "ok", x: 0, y: CHART.baseline - 15, height: 15 });
    expect(bad).toMatchObject({ kind: "bad", x: 5, y: CHART.baseline + 1 });
    expect(bad?.height).toBe(8);
    expect(skipped).toMatchObject({ kind: "other", height: CHART.tick });
  });

  it("says the counts in words", () => {
    expect(chartLabel(bars)).toBe("3 runs: 1 succeeded, 1 failed, 1 skipped");
  });
});

describe("text from files and runs", () => {
  it("is shown as text in every field of the index and the job page", () => {
    const hostileRow = row(HOSTILE, {
      file: HOSTILE,
      schedule: HOSTILE,
      scheduleWords: HOSTILE,
      timezone: HOSTILE,
      last: { outcome: HOSTILE as never, exitCode: 1, at: HOSTILE },
      runs: [{ run: HOSTILE, outcome: HOSTILE as never, durationMs: 5, at: HOSTILE }],
      nextRunAt: HOSTILE,
    });
    const index = String(
      indexPage(
        pageModel([hostileRow], {
          revision: HOSTILE,
          rejected: [
            { file: HOSTILE, issues: [{ line: 1, col: 1, rule: HOSTILE, message: HOSTILE }] },
          ],
          syncErrors: { count: 1, last: { at: HOSTILE, message: HOSTILE } },
        }),
      ),
    );
    const spec = jobSpec({ name: "x", labels: { [HOSTILE]: HOSTILE } });
    const run = summary("x", "failed", {
      run: HOSTILE,
      reason: HOSTILE,
      logTail: `line one\n${HOSTILE}`,
      trigger: HOSTILE as never,
    });
    const job = String(
      jobPage({ now: NOW, row: hostileRow, spec, revision: HOSTILE, history: [run], canRun: true }),
    );
    const login = String(loginPage({ next: HOSTILE, error: HOSTILE }));
    for (const page of [index, job, login]) {
      expect(page).not.toContain("<script>window");
      expect(page).not.toContain("<img");
      expect(page).not.toMatch(/"'/);
      expect(page).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    }
    // The link to the job's page encodes its name as a path segment.
    expect(index).toContain(`href="/jobs/${encodeURIComponent(HOSTILE).replace(/'/g, "&#39;")}"`);
  });
});

describe("the job page", () => {
  it("shows the applied spec, every run with outcome, duration and log tail, and Run now", () => {
    const runs = [
      summary("x", "failed", { logTail: "about to fail", durationMs: 7488 }),
      summary("x", "succeeded", { logTail: "all good" }),
    ];
    const page = String(
      jobPage({
        now: NOW,
        row: row("x"),
        spec: jobSpec({ name: "x", image: "busybox:1.36" }),
        revision: "abc",
        history: runs,
        canRun: true,
      }),
    );
    expect(page).toContain('<form method="post" action="/jobs/x/run" class="run-now">');
    expect(page).toContain("about to fail");
    expect(page).toContain("7.5s");
    expect(page).toContain("failed</span>, exit 3");
    expect(page).toContain("&quot;image&quot;: &quot;busybox:1.36&quot;");
    expect(page.match(/<rect class="(ok|bad)"/g)).toHaveLength(2);
    expect(page).toContain("<caption>The last 2 runs");
  });

  it("has no Run now without an API token", () => {
    const page = String(
      jobPage({
        now: NOW,
        row: row("x"),
        spec: jobSpec({ name: "x" }),
        revision: "a",
        history: [],
        canRun: false,
      }),
    );
    expect(page).not.toContain("Run now");
  });

  it("shows a pause and when it ends, with Resume for whoever may act", () => {
    const page = (canRun: boolean) =>
      String(
        jobPage({
          now: NOW,
          row: row("x", { state: "paused", pausedUntil: "2026-12-02T14:00:00.000Z" }),
          spec: jobSpec({ name: "x" }),
          revision: "a",
          history: [],
          canRun,
        }),
      );
    expect(page(true)).toContain('<span class="state paused">paused</span>');
    expect(page(true)).toContain("Paused (gitcron pause) until 2026-12-02 14:00:00 UTC");
    expect(page(true)).toContain('<form method="post" action="/jobs/x/resume" class="resume">');
    expect(page(false)).not.toContain("/resume");
  });

  it("offers Stop the run while a run is going, to whoever may act, and shows a stopped run as such", () => {
    const page = (state: "running" | "idle", canRun: boolean) =>
      String(
        jobPage({
          now: NOW,
          row: row("x", { state }),
          spec: jobSpec({ name: "x" }),
          revision: "a",
          history: [
            summary("x", "stopped", { reason: "stopped by request (from the status page)" }),
          ],
          canRun,
        }),
      );
    expect(page("running", true)).toContain(
      '<form method="post" action="/jobs/x/stop" class="stop"><button type="submit">Stop the run</button></form>',
    );
    expect(page("idle", true)).not.toContain("Stop the run");
    expect(page("running", false)).not.toContain("Stop the run");
    expect(page("idle", true)).toContain('<span class="outcome stopped">stopped</span>');
    // Neither above the line (succeeded) nor below it (failed).
    expect(page("idle", true)).not.toMatch(/<rect class="(ok|bad)"/);
  });
});
