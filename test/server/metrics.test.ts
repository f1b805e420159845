// GET /metrics over real HTTP, read back as Prometheus text, after runs a real Scheduler recorded.

import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics, metricsRoutes } from "../../src/server/metrics.js";
import type { RunSummary } from "../../src/status/summary.js";
import { settle } from "../helpers/fake-clock.js";
import { schedulerWith } from "../helpers/scheduler.js";
import { parsePrometheusText } from "./prometheus-text.js";
import { httpServers } from "./serve.js";

const { serve } = httpServers();

async function metricsServer(setup: ReturnType<typeof schedulerWith>) {
  const sync: { errorCount: number; lastError?: { at: Date } } = { errorCount: 0 };
  const applied = { revision: null as string | null };
  const metrics = createMetrics({
    scheduler: setup.scheduler,
    sync,
    revision: () => applied.revision,
  });
  const url = await serve(metricsRoutes(metrics));
  const scrape = async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    return parsePrometheusText(await res.text());
  };
  return { sync, applied, metrics, scrape };
}

const unix = (iso: string) => Date.parse(iso) / 1000;

describe("GET /metrics", () => {
  it("reports runs, durations, exit codes, last success, lag, queue and running after real runs", async () => {
    const setup = schedulerWith([
      { name: "report", overlap: "queue" },
      { name: "sync-db", schedule: "* * * * *", overlap: "queue" },
    ]);
    const { clock, runtime, scheduler } = setup;
    const { scrape } = await metricsServer(setup);
    scheduler.start();

    // Two manual runs of report: 5 s and exit 0, then 2 s and exit 3.
    scheduler.trigger("report");
    await clock.advance(5_000); // 10:00:05.250
    await runtime.running("report")[0]?.finish(0);
    scheduler.trigger("report");
    await clock.advance(2_000); // 10:00:07.250
    await runtime.running("report")[0]?.finish(3);

    // sync-db fires on time at 10:01:00, is still going at 10:02:00 (that tick queues) …
    await clock.advance(60_000 - 7_250 + 63_000); // 10:02:03
    const busy = await scrape();
    expect(busy.value("gitcron_running_runs")).toBe(1);
    expect(busy.value("gitcron_queue_depth")).toBe(1);
    // … and ends at 10:02:07, so the queued run starts 7 s late.
    await clock.advance(4_000);
    await runtime.running("sync-db")[0]?.finish(0);
    await settle();

    const m = await scrape();
    expect(m.value("gitcron_runs_total", { job: "report", outcome: "succeeded" })).toBe(1);
    expect(m.value("gitcron_runs_total", { job: "report", outcome: "failed" })).toBe(1);
    expect(m.value("gitcron_runs_total", { job: "sync-db", outcome: "succeeded" })).toBe(1);
    expect(m.series("gitcron_runs_total")).toHaveLength(3);

    expect(m.value("gitcron_run_duration_seconds_count", { job: "report" })).toBe(2);
    expect(m.value("gitcron_run_duration_seconds_sum", { job: "report" })).toBe(7);
    expect(m.value("gitcron_run_duration_seconds_bucket", { job: "report", le: "1" })).toBe(0);
    expect(m.value("gitcron_run_duration_seconds_bucket", { job: "report", le: "5" })).toBe(2);
    expect(m.value("gitcron_run_duration_seconds_sum", { job: "sync-db" })).toBe(67);

    expect(m.value("gitcron_last_exit_code", { job: "report" })).toBe(3);
    expect(m.value("gitcron_last_exit_code", { job: "sync-db" })).toBe(0);
    expect(m.value("gitcron_job_last_success_timestamp_seconds", { job: "report" })).toBe(
      unix("2026-11-26T10:00:05.250Z"),
    );
    expect(m.value("gitcron_job_last_success_timestamp_seconds", { job: "sync-db" })).toBe(
      unix("2026-11-26T10:02:07Z"),
    );

    // Scheduled launches only: on time at 10:01:00, then 7 s late; manual runs have no lag.
    expect(m.value("gitcron_schedule_lag_seconds_count")).toBe(2);
    expect(m.value("gitcron_schedule_lag_seconds_sum")).toBe(7);
    expect(m.value("gitcron_schedule_lag_seconds_bucket", { le: "0.01" })).toBe(1);
    expect(m.value("gitcron_schedule_lag_seconds_bucket", { le: "10" })).toBe(2);

    expect(m.value("gitcron_running_runs")).toBe(1);
    expect(m.value("gitcron_queue_depth")).toBe(0);
    await scheduler.stop(0);
  });

  it("declares each series' type, and adds the process metrics on the same registry", async () => {
    const { scrape } = await metricsServer(schedulerWith([]));
    const m = await scrape();
    expect(
      Object.fromEntries([...m.types].filter(([name]) => name.startsWith("gitcron_"))),
    ).toEqual({
      gitcron_runs_total: "counter",
      gitcron_run_duration_seconds: "histogram",
      gitcron_schedule_lag_seconds: "histogram",
      gitcron_last_exit_code: "gauge",
      gitcron_job_last_success_timestamp_seconds: "gauge",
      gitcron_queue_depth: "gauge",
      gitcron_running_runs: "gauge",
      gitcron_sync_errors_total: "counter",
      gitcron_sync_last_error_timestamp_seconds: "gauge",
      gitcron_revision_info: "gauge",
      gitcron_notifications_total: "counter",
      gitcron_leader: "gauge",
    });
    expect(m.value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(m.value("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
  });

  it("sync errors count up with the sync loop, and the applied revision is one labelled series", async () => {
    const { scrape, sync, applied } = await metricsServer(schedulerWith([]));
    const before = await scrape();
    expect(before.value("gitcron_sync_errors_total")).toBe(0);
    expect(before.series("gitcron_revision_info")).toEqual([]);
    expect(before.value("gitcron_sync_last_error_timestamp_seconds")).toBe(0);

    sync.errorCount = 2;
    sync.lastError = { at: new Date("2026-11-26T10:00:30Z") };
    applied.revision = "3f2a9c1";
    const after = await scrape();
    expect(after.value("gitcron_sync_errors_total")).toBe(2);
    expect(after.value("gitcron_sync_last_error_timestamp_seconds")).toBe(
      unix("2026-11-26T10:00:30Z"),
    );
    expect(after.value("gitcron_revision_info", { revision: "3f2a9c1" })).toBe(1);

    sync.errorCount = 5;
    applied.revision = "b71e004";
    const later = await scrape();
    expect(later.value("gitcron_sync_errors_total")).toBe(5);
    expect(later.series("gitcron_revision_info")).toEqual([
      { name: "gitcron_revision_info", labels: { revision: "b71e004" }, value: 1 },
    ]);
  });

  it("after a restart, the last summary seeded from the status branch gives last success and exit code", async () => {
    const setup = schedulerWith([{ name: "backup" }]);
    const { scrape } = await metricsServer(setup);
    const seeded: RunSummary = {
      job: "backup",
      run: "backup-20261126T030000Z-1",
      attempt: 1,
      outcome: "succeeded",
      exitCode: 0,
      reason: null,
      scheduledAt: "2026-11-26T03:00:00Z",
      startedAt: "2026-11-26T03:00:00.400Z",
      finishedAt: "2026-11-26T03:04:00.400Z",
      durationMs: 240_000,
      image: "gitcron-test/busybox:1",
      imageDigest: null,
      revision: "rev1",
      trigger: "schedule",
      logTail: "",
    };
    setup.scheduler.setLast(seeded);
    const m = await scrape();
    expect(m.value("gitcron_job_last_success_timestamp_seconds", { job: "backup" })).toBe(
      unix("2026-11-26T03:04:00.400Z"),
    );
    expect(m.value("gitcron_last_exit_code", { job: "backup" })).toBe(0);
    // Counters start at zero with the process, as Prometheus expects of a counter.
    expect(m.series("gitcron_runs_total")).toEqual([]);
  });

  it("a skipped tick keeps the last exit code; a removed job's gauges go, its counters stay", async () => {
    const setup = schedulerWith([{ name: "sweep", overlap: "skip", schedule: "* * * * * *" }]);
    const { clock, runtime, scheduler } = setup;
    const { scrape } = await metricsServer(setup);
    scheduler.trigger("sweep");
    await clock.advance(1_000); // the loop is not started yet: no scheduled ticks
    await runtime.running("sweep")[0]?.finish(1);
    scheduler.trigger("sweep");
    // Now a scheduled tick comes while that run is going: skipped, recorded with no exit code.
    scheduler.start();
    await clock.advance(1_000);
    const m = await scrape();
    expect(m.value("gitcron_runs_total", { job: "sweep", outcome: "skipped" })).toBeGreaterThan(0);
    expect(m.value("gitcron_last_exit_code", { job: "sweep" })).toBe(1);

    scheduler.remove("sweep");
    await runtime.running("sweep")[0]?.finish(0);
    await settle();
    const gone = await scrape();
    expect(gone.series("gitcron_last_exit_code")).toEqual([]);
    expect(gone.series("gitcron_job_last_success_timestamp_seconds")).toEqual([]);
    expect(gone.value("gitcron_runs_total", { job: "sweep", outcome: "failed" })).toBe(1);
    await scheduler.stop(0);
  });

  it("each agent has its own registry: nothing lands on prom-client's global one", async () => {
    const one = schedulerWith([{ name: "alpha" }]);
    const two = schedulerWith([{ name: "beta" }]);
    const a = await metricsServer(one);
    const b = await metricsServer(two);
    one.scheduler.trigger("alpha");
    await one.runtime.running("alpha")[0]?.finish(0);
    expect(
      (await a.scrape()).value("gitcron_runs_total", { job: "alpha", outcome: "succeeded" }),
    ).toBe(1);
    expect((await b.scrape()).series("gitcron_runs_total")).toEqual([]);
    expect(await globalRegistry.metrics()).not.toContain("gitcron_");
  });

  it("close() stops counting: the scheduler's events no longer reach the registry", async () => {
    const setup = schedulerWith([{ name: "alpha" }]);
    const { metrics, scrape } = await metricsServer(setup);
    metrics.close();
    setup.scheduler.trigger("alpha");
    await setup.runtime.running("alpha")[0]?.finish(0);
    expect((await scrape()).series("gitcron_runs_total")).toEqual([]);
  });
});
