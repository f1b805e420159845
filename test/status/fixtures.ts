// Summaries and states for the status tests.

import type { StatusState } from "../../src/status/state.js";
import type { RunSummary } from "../../src/status/summary.js";

const BASE = Date.parse("2026-11-26T03:00:00Z");

/** The n-th run of `job`, one minute apart; fields overridable. */
export function summary(job: string, n: number, over: Partial<RunSummary> = {}): RunSummary {
  const scheduled = new Date(BASE + n * 60_000);
  const started = new Date(scheduled.getTime() + 400);
  const finished = new Date(started.getTime() + 7_500);
  const stamp = scheduled
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return {
    job,
    run: `${job}-${stamp}-1`,
    attempt: 1,
    outcome: "succeeded",
    exitCode: 0,
    reason: null,
    scheduledAt: scheduled.toISOString(),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: 7_500,
    image: "gitcron-test/busybox:1",
    imageDigest: null,
    revision: "0123456789abcdef0123456789abcdef01234567",
    trigger: "schedule",
    logTail: `run ${n} of ${job}\n`,
    ...over,
  };
}

export function state(jobs: string[], over: Partial<StatusState> = {}): StatusState {
  return {
    version: 1,
    revision: "0123456789abcdef0123456789abcdef01234567",
    agentVersion: "0.1.0",
    lastSyncAt: "2026-11-26T03:00:00.000Z",
    syncErrors: { count: 0 },
    jobs: Object.fromEntries(
      jobs.map((name) => [
        name,
        {
          file: `${name}.yaml`,
          schedule: "0 3 * * MON",
          timezone: "Europe/Amsterdam",
          specHash: `hash-${name}`,
          suspended: false,
          nextRunAt: "2026-11-30T03:00:00.000+01:00",
        },
      ]),
    ),
    rejected: [],
    ...over,
  };
}

/** Parses a runs.jsonl text into summaries. */
export const parseRuns = (text: string | null): RunSummary[] =>
  (text ?? "")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunSummary);
