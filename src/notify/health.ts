// A job's health for notifications (SPEC §7): healthy, failing or late. Each change of state
// is one event — never one per failed run of a job that keeps failing. Pure: runs and the time
// are passed in, and what changed comes back.

import type { JobSpec, NotifyEvent } from "../jobs/spec.js";
import type { RunSummary } from "../status/summary.js";

export type HealthState = "healthy" | "failing" | "late";

export interface JobHealth {
  state: HealthState;
  /** When its last run succeeded (ms since the epoch), null if none is known. */
  lastSuccessAt: number | null;
  /** When the job was first applied: lateness counts from here until it first succeeds. */
  since: number;
}

export interface HealthChange {
  health: JobHealth;
  event?: NotifyEvent;
}

const FAILED = new Set(["failed", "timeout", "error"]);

export const newHealth = (since: number): JobHealth => ({
  state: "healthy",
  lastSuccessAt: null,
  since,
});

/** A run's end (or a tick that did not run) and what it changes. A failure counts only after
 * the last retry: a run that will be retried has not failed the job yet. */
export function observeRun(
  health: JobHealth,
  summary: RunSummary,
  spec: Pick<JobSpec, "retries">,
): HealthChange {
  if (summary.outcome === "succeeded") {
    const at = Date.parse(summary.finishedAt ?? summary.scheduledAt);
    const next = { ...health, state: "healthy" as const, lastSuccessAt: at };
    return health.state === "healthy" ? { health: next } : { health: next, event: "recovery" };
  }
  if (summary.outcome === "missed") return { health, event: "missed" };
  const final = summary.attempt > spec.retries.limit;
  if (FAILED.has(summary.outcome) && final && health.state !== "failing")
    return { health: { ...health, state: "failing" }, event: "failure" };
  return { health };
}

/** Whether the job has just become late: no success within `windowMs` of its last success (or
 * of when it was first applied). A failing job was told about already; a suspended one is never
 * late. */
export function checkLate(
  health: JobHealth,
  spec: Pick<JobSpec, "suspended">,
  windowMs: number | undefined,
  now: number,
): HealthChange {
  if (windowMs === undefined || spec.suspended || health.state !== "healthy") return { health };
  const from = health.lastSuccessAt ?? health.since;
  return now - from > windowMs
    ? { health: { ...health, state: "late" }, event: "late" }
    : { health };
}

/** The health a job's recorded runs tell, oldest first, without events: how a restart that
 * lost its own state picks up from the status branch, neither repeating nor losing an alert. */
export function healthFromRuns(
  runs: readonly RunSummary[],
  spec: Pick<JobSpec, "retries" | "suspended">,
  since: number,
  windowMs: number | undefined,
  now: number,
): JobHealth {
  let health = newHealth(since);
  for (const run of runs) health = observeRun(health, run, spec).health;
  return checkLate(health, spec, windowMs, now).health;
}
