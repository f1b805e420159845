// Turning runs and ticks into the run summaries of SPEC §3.

import type { JobSpec } from "../jobs/spec.js";
import { runIdFor } from "../runtime/names.js";
import type { RunResult, Trigger } from "../runtime/runtime.js";
import type { RunSummary } from "../status/summary.js";

export interface Attempt {
  job: string;
  runId: string;
  scheduledAt: Date;
  attempt: number;
  trigger: Trigger;
}

export function summaryOfResult(
  attempt: Attempt,
  spec: Pick<JobSpec, "image" | "labels">,
  revision: string,
  result: RunResult,
): RunSummary {
  return {
    job: attempt.job,
    run: attempt.runId,
    attempt: attempt.attempt,
    outcome: result.outcome,
    exitCode: result.exitCode,
    reason: result.reason,
    scheduledAt: attempt.scheduledAt.toISOString(),
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    durationMs: Math.max(0, result.finishedAt.getTime() - result.startedAt.getTime()),
    image: spec.image,
    imageDigest: result.imageDigest,
    revision,
    trigger: attempt.trigger,
    logTail: result.logTail,
    ...(Object.keys(spec.labels).length > 0 && { labels: spec.labels }),
  };
}

/** A tick that never became a run: `skipped` (overlap) or `missed` (agent down, deadline). */
export function summaryOfTick(options: {
  spec: JobSpec;
  revision: string;
  scheduledAt: Date;
  trigger: Trigger;
  outcome: "skipped" | "missed";
  reason: string;
  now: Date;
}): RunSummary {
  const { spec, scheduledAt, now } = options;
  return {
    job: spec.name,
    run: runIdFor(spec.name, scheduledAt, 1),
    attempt: 1,
    outcome: options.outcome,
    exitCode: null,
    reason: options.reason,
    scheduledAt: scheduledAt.toISOString(),
    startedAt: null,
    finishedAt: now.toISOString(),
    durationMs: null,
    image: spec.image,
    imageDigest: null,
    revision: options.revision,
    trigger: options.trigger,
    logTail: "",
    ...(Object.keys(spec.labels).length > 0 && { labels: spec.labels }),
  };
}

export const isRetryable = (outcome: RunSummary["outcome"]) =>
  outcome === "failed" || outcome === "timeout" || outcome === "error";

/** Backoff before attempt `next` (2, 3, …): base, then doubling. */
export const retryDelayMs = (backoffMs: number, next: number) =>
  backoffMs * 2 ** Math.max(0, next - 2);
