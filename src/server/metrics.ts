// GET /metrics: Prometheus text, driven by the scheduler's events. Everything lives on a
// registry made here, so two agents in one process (tests) never share a series.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { NotifierCounters } from "../notify/notifier.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { RunSummary } from "../status/summary.js";
import type { Route } from "./http.js";

export interface Metrics {
  registry: Registry;
  /** Stops listening to the scheduler. */
  close(): void;
}

export interface MetricsSources {
  scheduler: Pick<Scheduler, "events" | "queueDepth" | "running" | "view">;
  sync: { readonly errorCount: number; readonly lastError?: { at: Date } | undefined };
  /** The commit applied, or null before the first sync. */
  revision: () => string | null;
  /** Default process metrics (CPU, memory, event loop); off in tests that make many registries. */
  processMetrics?: boolean;
  /** Notifications sent and given up on, by kind of target. */
  notifications?: () => NotifierCounters;
  /** When each job last succeeded (ms), as the notifier knows it across restarts. */
  lastSuccessAt?: (job: string) => number | null;
  /** Whether this agent leads its repository (SPEC §3). */
  leader?: () => boolean;
}

// Jobs take seconds to hours; the last buckets tell a stuck job from a slow one.
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
// Lag is milliseconds when all is well; the high buckets are queued and caught-up runs.
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** What a scrape reports per job; fed by recorded runs and by summaries seeded at start-up. */
interface JobFacts {
  exitCode?: number;
  lastSuccess?: number;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const { scheduler, sync, revision } = sources;
  const registry = new Registry();
  const registers = [registry];
  const facts = new Map<string, JobFacts>();

  const factsOf = (job: string) => {
    let f = facts.get(job);
    if (!f) {
      f = {};
      facts.set(job, f);
    }
    return f;
  };
  const learn = (s: RunSummary) => {
    const f = factsOf(s.job);
    if (s.exitCode !== null) f.exitCode = s.exitCode;
    if (s.outcome === "succeeded" && s.finishedAt)
      f.lastSuccess = Math.max(f.lastSuccess ?? 0, seconds(s.finishedAt));
  };

  const runs = new Counter({
    name: "gitcron_runs_total",
    help: "Recorded runs by job and outcome (succeeded, failed, timeout, error, stopped, skipped, missed); each retry attempt counts.",
    labelNames: ["job", "outcome"],
    registers,
  });
  const duration = new Histogram({
    name: "gitcron_run_duration_seconds",
    help: "How long each run took, from container start to exit.",
    labelNames: ["job"],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const lag = new Histogram({
    name: "gitcron_schedule_lag_seconds",
    help: "Time from a scheduled instant to its container start (scheduled and catch-up runs; a queued run includes its wait).",
    buckets: LAG_BUCKETS,
    registers,
  });
  const perJob = (name: string, help: string, value: (f: JobFacts) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ["job"],
      registers,
      collect() {
        this.reset();
        for (const [job, f] of currentFacts()) {
          const v = value(f);
          if (v !== undefined) this.set({ job }, v);
        }
      },
    });
  perJob(
    "gitcron_last_exit_code",
    "The exit code of each job's last run that exited.",
    (f) => f.exitCode,
  );
  perJob(
    "gitcron_job_last_success_timestamp_seconds",
    "When each job's last successful run finished (Unix time); for alerts on a job that stops succeeding.",
    (f) => f.lastSuccess,
  );
  const notified = { sent: { http: 0, smtp: 0 }, failed: { http: 0, smtp: 0 } };
  new Counter({
    name: "gitcron_notifications_total",
    help: "Notifications delivered (result sent) and given up on after 24 hours (result failed), by kind of target.",
    labelNames: ["target_kind", "result"],
    registers,
    collect() {
      const now = sources.notifications?.();
      if (!now) return;
      // The notifier owns the counts; the counter catches up at each scrape.
      for (const result of ["sent", "failed"] as const) {
        for (const kind of ["http", "smtp"] as const) {
          const delta = now[result][kind] - notified[result][kind];
          if (delta > 0) this.inc({ target_kind: kind, result }, delta);
          notified[result][kind] = now[result][kind];
        }
      }
    },
  });
  new Gauge({
    name: "gitcron_leader",
    help: "1 on the agent that leads its repository (starts runs, writes the status branch), 0 on a standby.",
    registers,
    collect() {
      this.set(sources.leader?.() === false ? 0 : 1);
    },
  });
  new Gauge({
    name: "gitcron_queue_depth",
    help: "Runs waiting: ticks queued behind a running run plus runs waiting for a --max-parallel slot.",
    registers,
    collect() {
      this.set(scheduler.queueDepth);
    },
  });
  new Gauge({
    name: "gitcron_running_runs",
    help: "Runs going now.",
    registers,
    collect() {
      this.set(scheduler.running);
    },
  });
  let syncErrorsCounted = 0;
  new Counter({
    name: "gitcron_sync_errors_total",
    help: "Syncs that failed (fetch, checkout or load); the last good specs keep running.",
    registers,
    collect() {
      // The sync loop owns the count; the counter catches up at each scrape.
      const delta = sync.errorCount - syncErrorsCounted;
      if (delta > 0) this.inc(delta);
      syncErrorsCounted = sync.errorCount;
    },
  });
  new Gauge({
    name: "gitcron_sync_last_error_timestamp_seconds",
    help: "When the last sync failed (Unix time); 0 while none has.",
    registers,
    collect() {
      this.reset();
      if (sync.lastError) this.set(sync.lastError.at.getTime() / 1000);
    },
  });
  new Gauge({
    name: "gitcron_revision_info",
    help: "The commit applied, as a label; absent before the first sync.",
    labelNames: ["revision"],
    registers,
    collect() {
      this.reset();
      const applied = revision();
      if (applied) this.set({ revision: applied }, 1);
    },
  });
  if (sources.processMetrics !== false) collectDefaultMetrics({ register: registry });

  /** Facts of the jobs that exist now (a removed job's gauges go); summaries seeded from the
   * status branch at start-up count too, so an alert on the last success survives a restart. */
  function currentFacts(): [string, JobFacts][] {
    const current = scheduler.view().map((j): [string, JobFacts] => {
      if (j.last) learn(j.last);
      const f = factsOf(j.spec.name);
      const known = sources.lastSuccessAt?.(j.spec.name);
      if (known) f.lastSuccess = Math.max(f.lastSuccess ?? 0, known / 1000);
      return [j.spec.name, f];
    });
    const names = new Set(current.map(([name]) => name));
    for (const name of facts.keys()) if (!names.has(name)) facts.delete(name);
    return current;
  }

  const offRecorded = scheduler.events.on("run:recorded", ({ summary }) => {
    runs.inc({ job: summary.job, outcome: summary.outcome });
    if (summary.durationMs !== null)
      duration.observe({ job: summary.job }, summary.durationMs / 1000);
    learn(summary);
  });
  const offLaunch = scheduler.events.on("run:launch", (launch) => {
    if (launch.trigger === "schedule" || launch.trigger === "catch-up")
      lag.observe(Math.max(0, launch.lagMs) / 1000);
  });

  return {
    registry,
    close: () => {
      offRecorded();
      offLaunch();
    },
  };
}

export function metricsRoutes(metrics: Metrics): Route[] {
  return [
    {
      method: "GET",
      pattern: "/metrics",
      handle: async () => ({
        status: 200,
        body: await metrics.registry.metrics(),
        headers: { "content-type": metrics.registry.contentType },
      }),
    },
  ];
}
