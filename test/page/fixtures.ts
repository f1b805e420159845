// Plain data for the status page's unit tests: job views, run summaries, and a PageSource whose
// changes the test announces.

import type { JobPageModel, JobRow, PageModel } from "../../src/page/model.js";
import type { PageChange, PageSource } from "../../src/page/source.js";
import type { JobView } from "../../src/scheduler/scheduler.js";
import type { RunSummary, SummaryOutcome } from "../../src/status/summary.js";
import { jobSpec } from "../helpers/spec-factory.js";

export const NOW = new Date("2026-12-02T12:00:00Z");

export function view(name: string, extra: Partial<JobView> = {}): JobView {
  return {
    spec: jobSpec({ name }),
    revision: "0123456789abcdef0123456789abcdef01234567",
    nextRunAt: new Date("2026-12-02T12:05:00Z"),
    running: null,
    queued: null,
    last: null,
    ...extra,
  };
}

let counter = 0;
export function summary(
  job: string,
  outcome: SummaryOutcome,
  extra: Partial<RunSummary> = {},
): RunSummary {
  counter++;
  const at = new Date(NOW.getTime() - 3_600_000 + counter * 1000).toISOString();
  return {
    job,
    run: `${job}-run-${counter}`,
    attempt: 1,
    outcome,
    exitCode: outcome === "succeeded" ? 0 : outcome === "failed" ? 3 : null,
    reason: null,
    scheduledAt: at,
    startedAt: at,
    finishedAt: at,
    durationMs: 1000,
    image: "busybox",
    imageDigest: null,
    revision: "0123456789abcdef0123456789abcdef01234567",
    trigger: "schedule",
    logTail: "",
    ...extra,
  };
}

export function row(name: string, extra: Partial<JobRow> = {}): JobRow {
  return {
    name,
    file: `${name}.yaml`,
    schedule: "*/5 * * * *",
    scheduleWords: "Every 5 minutes",
    timezone: "UTC",
    state: "idle",
    failing: false,
    rejected: false,
    last: null,
    runs: [],
    nextRunAt: "2026-12-02T12:05:00.000Z",
    ...extra,
  };
}

export function pageModel(jobs: JobRow[], extra: Partial<PageModel> = {}): PageModel {
  return {
    now: NOW,
    jobs,
    rejected: [],
    revision: "0123456789abcdef0123456789abcdef01234567",
    lastSyncAt: "2026-12-02T11:59:30.000Z",
    syncErrors: { count: 0 },
    canRun: true,
    ...extra,
  };
}

/** A PageSource over fixed rows; `change()` announces a change as the agent would. */
export function fakeSource(rows: JobRow[], job?: (name: string) => JobPageModel | null) {
  const listeners = new Set<(c: PageChange) => void>();
  let current = rows;
  const source: PageSource = {
    page: async (now) => pageModel(current, { now }),
    job: async (name) => job?.(name) ?? null,
    rows: async (names) => current.filter((r) => names.includes(r.name)),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    set(next: JobRow[]) {
      current = next;
    },
    change(change: PageChange) {
      for (const l of listeners) l(change);
    },
    get listeners() {
      return listeners.size;
    },
  };
}
