import { describe, expect, it } from "vitest";
import type { JobSpec } from "../../src/jobs/spec.js";
import type { SchedulerEvents } from "../../src/scheduler/events.js";
import { settle } from "../helpers/fake-clock.js";
import { schedulerWith } from "../helpers/scheduler.js";
import { jobSpec } from "../helpers/spec-factory.js";

function setup(start = "2026-11-26T03:00:00.500Z", maxParallel = 16) {
  const world = schedulerWith([], start, maxParallel);
  const add = (spec: Partial<JobSpec> & { name: string }) =>
    world.scheduler.upsert(jobSpec(spec), "rev1");
  return { ...world, add };
}

const everySecond = "* * * * * *";

describe("ticks", () => {
  it("a job fires at its scheduled instant with the instant in its run id", async () => {
    const { clock, runtime, scheduler, add } = setup("2026-11-26T02:59:59.000Z");
    add({ name: "nightly", schedule: "0 3 * * *" });
    scheduler.start();
    await clock.advance(999);
    expect(runtime.started).toHaveLength(0);
    await clock.advance(1);
    expect(runtime.started.map((r) => r.runId)).toEqual(["nightly-20261126T030000Z-1"]);
    expect(runtime.started[0]?.scheduledAt.toISOString()).toBe("2026-11-26T03:00:00.000Z");
    await scheduler.stop(0);
  });

  it("a clock that jumps over several instants starts one run for the newest", async () => {
    const { clock, runtime, scheduler, add } = setup("2026-11-26T03:00:00.500Z");
    add({ name: "minutely", schedule: "* * * * *" });
    scheduler.start();
    await settle();
    clock.jump(5 * 60_000);
    await clock.advance(0);
    await clock.advance(30_000); // the loop wakes at most every 30 s
    expect(runtime.started.map((r) => r.scheduledAt.toISOString())).toEqual([
      "2026-11-26T03:05:00.000Z",
    ]);
    await scheduler.stop(0);
  });

  it("a suspended job starts nothing, and starts again once unsuspended", async () => {
    const { clock, runtime, scheduler, add } = setup();
    add({ name: "paused", schedule: everySecond, suspended: true });
    scheduler.start();
    await clock.advance(5_000);
    expect(runtime.started).toHaveLength(0);
    add({ name: "paused", schedule: everySecond, suspended: false });
    await clock.advance(1_000);
    expect(runtime.started).toHaveLength(1);
    await scheduler.stop(0);
  });
});

describe("overlap", () => {
  it("queue: a tick during a running run waits and starts when it ends; more ticks merge into it", async () => {
    const { clock, runtime, recorded, scheduler, add } = setup();
    add({ name: "slow", schedule: everySecond, overlap: "queue" });
    scheduler.start();
    await clock.advance(500); // 03:00:01 fires
    expect(runtime.running("slow")).toHaveLength(1);
    await clock.advance(3_000); // three more ticks: one queued, two merged
    expect(runtime.started).toHaveLength(1);
    expect(scheduler.view()[0]?.queued).toMatchObject({ merged: 2 });
    await runtime.running("slow")[0]?.finish(0);
    await settle();
    expect(runtime.started).toHaveLength(2);
    expect(runtime.started[1]?.scheduledAt.toISOString()).toBe("2026-11-26T03:00:02.000Z");
    expect(runtime.maxConcurrentPerJob).toBe(1);
    expect(recorded.map((r) => r.outcome)).toEqual(["succeeded"]);
    await scheduler.stop(0);
  });

  it("skip: a tick during a running run is dropped and recorded as skipped", async () => {
    const { clock, runtime, recorded, scheduler, add } = setup();
    add({ name: "skipper", schedule: everySecond, overlap: "skip" });
    scheduler.start();
    await clock.advance(2_500);
    expect(runtime.started).toHaveLength(1);
    expect(recorded.map((r) => [r.outcome, r.scheduledAt])).toEqual([
      ["skipped", "2026-11-26T03:00:02.000Z"],
      ["skipped", "2026-11-26T03:00:03.000Z"],
    ]);
    expect(recorded[0]?.reason).toContain("skipper-20261126T030001Z-1");
    await scheduler.stop(0);
  });

  it("replace: the running run is stopped, then the new one starts", async () => {
    const { clock, runtime, recorded, scheduler, add } = setup();
    add({ name: "fresh", schedule: everySecond, overlap: "replace" });
    scheduler.start();
    await clock.advance(500);
    const first = runtime.running("fresh")[0];
    await clock.advance(1_000);
    await settle();
    expect(first?.stopped).toBe(true);
    expect(runtime.started.map((r) => r.scheduledAt.toISOString())).toEqual([
      "2026-11-26T03:00:01.000Z",
      "2026-11-26T03:00:02.000Z",
    ]);
    expect(recorded[0]).toMatchObject({ outcome: "failed", exitCode: 143 });
    expect(runtime.maxConcurrentPerJob).toBe(1);
    await scheduler.stop(0);
  });
});

describe("retries", () => {
  it("a retry waiting for its backoff when the agent stops is taken up by the next start, at its time", async () => {
    const spec = { name: "flaky", schedule: "0 4 * * *", retries: { limit: 2, backoffMs: 60_000 } };
    const first = setup();
    first.add(spec);
    first.scheduler.start();
    first.scheduler.trigger("flaky");
    await settle();
    await first.runtime.running("flaky")[0]?.finish(1);
    await first.scheduler.stop(0);
    const saved = first.scheduler.pendingRetries();
    expect(saved).toEqual([
      {
        job: "flaky",
        scheduledAt: "2026-11-26T03:00:00.000Z",
        attempt: 2,
        retryAt: "2026-11-26T03:01:00.500Z",
      },
    ]);

    // Back 20 s later: the retry comes at its time, not at once and not never.
    const second = setup("2026-11-26T03:00:20.500Z");
    second.add(spec);
    second.scheduler.resumeRetries(saved);
    second.scheduler.start();
    await second.clock.advance(39_999);
    expect(second.runtime.started).toHaveLength(0);
    await second.clock.advance(1);
    expect(second.runtime.started.map((r) => [r.runId, r.attempt, r.trigger])).toEqual([
      ["flaky-20261126T030000Z-2", 2, "retry"],
    ]);
    await second.scheduler.stop(0);
  });

  it("a retry left waiting is not taken up once the job's next tick came, nor past its limit", () => {
    const saved = [
      {
        job: "minutely",
        scheduledAt: "2026-11-26T03:00:00.000Z",
        attempt: 2,
        retryAt: "2026-11-26T03:00:10.500Z",
      },
      {
        job: "spent",
        scheduledAt: "2026-11-26T03:00:00.000Z",
        attempt: 2,
        retryAt: "2026-11-26T03:00:10.500Z",
      },
    ];
    const second = setup("2026-11-26T03:01:05.000Z");
    second.add({
      name: "minutely",
      schedule: "* * * * *",
      retries: { limit: 1, backoffMs: 10_000 },
    });
    second.add({ name: "spent", schedule: "0 4 * * *", retries: { limit: 0, backoffMs: 10_000 } });
    second.scheduler.resumeRetries(saved);
    expect(second.scheduler.pendingRetries()).toEqual([]);
  });
  it("a failed run is retried with doubling backoff, each attempt recorded, never overlapping", async () => {
    const { clock, runtime, recorded, scheduler, add } = setup();
    add({ name: "flaky", schedule: "0 4 * * *", retries: { limit: 2, backoffMs: 10_000 } });
    scheduler.start();
    scheduler.trigger("flaky");
    await settle();
    await runtime.running("flaky")[0]?.finish(1);
    await clock.advance(9_999);
    expect(runtime.started).toHaveLength(1);
    await clock.advance(1);
    expect(runtime.started.map((r) => [r.attempt, r.trigger])).toEqual([
      [1, "manual"],
      [2, "retry"],
    ]);
    await runtime.running("flaky")[0]?.finish(1);
    await clock.advance(19_999);
    expect(runtime.started).toHaveLength(2);
    await clock.advance(1);
    await runtime.running("flaky")[0]?.finish(1);
    await clock.advance(120_000);
    expect(runtime.started).toHaveLength(3);
    expect(recorded.map((r) => r.run)).toEqual([
      "flaky-20261126T030000Z-1",
      "flaky-20261126T030000Z-2",
      "flaky-20261126T030000Z-3",
    ]);
    expect(runtime.maxConcurrentPerJob).toBe(1);
    await scheduler.stop(0);
  });

  it("a tick during the backoff of a queue job waits behind the retry", async () => {
    const { clock, runtime, scheduler, add } = setup("2026-11-26T03:00:59.500Z");
    add({ name: "flaky", schedule: "* * * * *", retries: { limit: 1, backoffMs: 90_000 } });
    scheduler.start();
    await clock.advance(500);
    await runtime.running("flaky")[0]?.finish(1);
    await clock.advance(60_000); // 03:02 tick comes during the backoff
    expect(runtime.started).toHaveLength(1);
    await clock.advance(30_000);
    expect(runtime.started.map((r) => r.trigger)).toEqual(["schedule", "retry"]);
    await runtime.running("flaky")[0]?.finish(0);
    await settle();
    expect(runtime.started.map((r) => r.scheduledAt.toISOString())).toEqual([
      "2026-11-26T03:01:00.000Z",
      "2026-11-26T03:01:00.000Z",
      "2026-11-26T03:02:00.000Z",
    ]);
    await scheduler.stop(0);
  });
});

describe("changes and removal", () => {
  it("a change to a running job never stops the run; the next run uses the new spec", async () => {
    const { clock, runtime, scheduler, add } = setup();
    add({ name: "report", schedule: everySecond, image: "report:1" });
    scheduler.start();
    await clock.advance(500);
    add({ name: "report", schedule: everySecond, image: "report:2" });
    await clock.advance(1_000);
    const first = runtime.running("report")[0];
    expect(first?.stopped).toBe(false);
    await first?.finish(0);
    await settle();
    expect(runtime.started.map((r) => r.spec.image)).toEqual(["report:1", "report:2"]);
    await scheduler.stop(0);
  });

  it("a removed job starts no new run; its running run finishes and is recorded", async () => {
    const { clock, runtime, recorded, scheduler, add } = setup();
    add({ name: "gone", schedule: everySecond });
    scheduler.start();
    await clock.advance(500);
    scheduler.remove("gone");
    await clock.advance(5_000);
    expect(runtime.started).toHaveLength(1);
    await runtime.running("gone")[0]?.finish(0);
    await settle();
    expect(recorded.map((r) => r.outcome)).toEqual(["succeeded"]);
    expect(scheduler.view()).toHaveLength(0);
    await scheduler.stop(0);
  });
});

describe("parallelism", () => {
  it("at most --max-parallel runs of different jobs at once; the rest start as slots free", async () => {
    const { clock, runtime, scheduler, add } = setup("2026-11-26T03:00:59.500Z", 2);
    for (const name of ["a", "b", "c", "d"]) add({ name, schedule: "* * * * *" });
    scheduler.start();
    await clock.advance(500);
    expect(runtime.held).toHaveLength(2);
    expect(scheduler.queueDepth).toBe(2);
    await runtime.held[0]?.finish(0);
    await settle();
    expect(runtime.held).toHaveLength(2);
    expect(runtime.started).toHaveLength(3);
    await scheduler.stop(0);
  });
});

describe("manual runs", () => {
  it("honour overlap: skip refuses while a run goes, queue waits", async () => {
    const { runtime, scheduler, add } = setup();
    add({ name: "s", schedule: "0 4 * * *", overlap: "skip" });
    add({ name: "q", schedule: "0 4 * * *", overlap: "queue" });
    scheduler.start();
    expect(scheduler.trigger("s")).toMatchObject({ status: "accepted", action: "started" });
    expect(scheduler.trigger("s")).toEqual({ status: "busy" });
    expect(scheduler.trigger("q")).toMatchObject({ status: "accepted", action: "started" });
    expect(scheduler.trigger("q")).toMatchObject({ status: "accepted", action: "queued" });
    expect(scheduler.trigger("nope")).toEqual({ status: "not-found" });
    expect(runtime.started.map((r) => r.trigger)).toEqual(["manual", "manual"]);
    await scheduler.stop(0);
  });
});

describe("run ids of manual runs", () => {
  it("two manual runs in one second get seconds of their own; merged ones name the waiting run", async () => {
    const { runtime, scheduler, add } = setup("2026-11-26T03:00:00.300Z");
    add({ name: "q", schedule: "0 4 * * *", overlap: "queue" });
    const first = scheduler.trigger("q");
    const second = scheduler.trigger("q");
    const third = scheduler.trigger("q");
    expect([first, second, third]).toEqual([
      { status: "accepted", action: "started", runId: "q-20261126T030000Z-1" },
      { status: "accepted", action: "queued", runId: "q-20261126T030001Z-1" },
      { status: "accepted", action: "merged", runId: "q-20261126T030001Z-1" },
    ]);
    await runtime.running("q")[0]?.finish(0);
    await settle();
    expect(runtime.started.map((r) => r.runId)).toEqual([
      "q-20261126T030000Z-1",
      "q-20261126T030001Z-1",
    ]);
    await scheduler.stop(0);
  });

  it("a scheduled tick in the second a manual run took is that run, not a second container", async () => {
    const { clock, runtime, scheduler, add } = setup("2026-11-26T03:00:00.300Z");
    add({ name: "s", schedule: everySecond, overlap: "queue" });
    scheduler.start();
    scheduler.trigger("s"); // takes 03:00:00
    scheduler.trigger("s"); // queued for 03:00:01
    await clock.advance(700); // the 03:00:01 tick comes
    expect(scheduler.view()[0]?.queued).toMatchObject({ merged: 0 });
    await runtime.running("s")[0]?.finish(0);
    await settle();
    expect(runtime.started.map((r) => r.runId)).toEqual([
      "s-20261126T030000Z-1",
      "s-20261126T030001Z-1",
    ]);
    await scheduler.stop(0);
  });
});

describe("missed ticks after a restart", () => {
  it("skip records one missed summary naming how many ticks were missed", async () => {
    const { recorded, scheduler, add } = setup("2026-11-26T03:10:30.000Z");
    add({ name: "m", schedule: "* * * * *", missed: "skip" });
    await scheduler.catchUp({ m: "2026-11-26T03:00:00.000Z" });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      outcome: "missed",
      scheduledAt: "2026-11-26T03:10:00.000Z",
    });
    expect(recorded[0]?.reason).toMatch(/^10 ticks missed/);
  });

  it("the ticks all jobs missed are told as one catch-up; a run-once job that ran is not in it", async () => {
    const { recorded, caughtUp, scheduler, add } = setup("2026-11-26T03:10:30.000Z");
    add({ name: "a", schedule: "* * * * *" });
    add({ name: "b", schedule: "*/5 * * * *" });
    add({ name: "r", schedule: "* * * * *", missed: "run-once", startingDeadlineMs: 60_000 });
    const told: SchedulerEvents["caught-up"][] = [];
    scheduler.events.on("caught-up", (e) => told.push(e));
    await scheduler.catchUp({
      a: "2026-11-26T03:00:00.000Z",
      b: "2026-11-26T03:00:00.000Z",
      r: "2026-11-26T03:00:00.000Z",
    });
    expect(told).toHaveLength(1);
    expect(told[0]?.at.toISOString()).toBe("2026-11-26T03:10:30.000Z");
    expect(
      told[0]?.missed.map((m) => [m.job, m.count, m.first.toISOString(), m.last.toISOString()]),
    ).toEqual([
      ["a", 10, "2026-11-26T03:01:00.000Z", "2026-11-26T03:10:00.000Z"],
      ["b", 2, "2026-11-26T03:05:00.000Z", "2026-11-26T03:10:00.000Z"],
    ]);
    // Each is still recorded on its own; none is told on its own.
    await settle();
    expect(recorded.filter((r) => r.outcome === "missed").map((r) => r.job)).toEqual(["a", "b"]);
    expect(caughtUp.map((r) => r.job).sort()).toEqual(["a", "b"]);
  });

  it("a catch-up that finds nothing missed tells nothing", async () => {
    const { scheduler, add } = setup("2026-11-26T03:00:30.000Z");
    add({ name: "a", schedule: "0 * * * *" });
    const told: unknown[] = [];
    scheduler.events.on("caught-up", (e) => told.push(e));
    await scheduler.catchUp({ a: "2026-11-26T03:00:00.000Z" });
    expect(told).toEqual([]);
  });

  it("run-once starts one catch-up run when the newest missed tick is within startingDeadline", async () => {
    const { runtime, scheduler, add } = setup("2026-11-26T03:10:30.000Z");
    add({ name: "r", schedule: "* * * * *", missed: "run-once", startingDeadlineMs: 60_000 });
    await scheduler.catchUp({ r: "2026-11-26T03:00:00.000Z" });
    expect(runtime.started.map((s) => [s.trigger, s.scheduledAt.toISOString()])).toEqual([
      ["catch-up", "2026-11-26T03:10:00.000Z"],
    ]);
  });

  it("run-once past startingDeadline records missed instead", async () => {
    const { runtime, recorded, scheduler, add } = setup("2026-11-26T03:10:30.000Z");
    add({ name: "r", schedule: "0 * * * *", missed: "run-once", startingDeadlineMs: 60_000 });
    await scheduler.catchUp({ r: "2026-11-26T01:30:00.000Z" });
    expect(runtime.started).toHaveLength(0);
    expect(recorded[0]).toMatchObject({
      outcome: "missed",
      scheduledAt: "2026-11-26T03:00:00.000Z",
    });
  });

  it("a tick still queued when the agent stops is missed at the next start, with those merged into it", async () => {
    const first = setup();
    first.add({ name: "q", schedule: everySecond, overlap: "queue", missed: "skip" });
    first.scheduler.start();
    await first.clock.advance(500); // 03:00:01 runs
    await first.clock.advance(2_000); // 03:00:02 queued, 03:00:03 merged into it
    const saved = first.scheduler.cursors();
    expect(saved.q).toBe("2026-11-26T03:00:01.999Z");
    await first.scheduler.stop(0);

    const second = setup("2026-11-26T03:00:05.500Z");
    second.add({ name: "q", schedule: everySecond, overlap: "queue", missed: "skip" });
    await second.scheduler.catchUp(saved);
    expect(second.recorded).toHaveLength(1);
    expect(second.recorded[0]).toMatchObject({
      outcome: "missed",
      scheduledAt: "2026-11-26T03:00:05.000Z",
    });
    // 03:00:02 (queued), 03:00:03 (merged), 03:00:04 and 03:00:05 (the agent down).
    expect(second.recorded[0]?.reason).toMatch(/^4 ticks missed/);
  });

  it("a tick queued behind a run that ends while the agent stops is missed at the next start, not lost", async () => {
    const first = setup();
    first.add({ name: "q", schedule: everySecond, overlap: "queue", missed: "skip" });
    first.scheduler.start();
    await first.clock.advance(500); // 03:00:01 runs
    await first.clock.advance(1_000); // 03:00:02 queued
    const stopped = first.scheduler.stop(10_000);
    await settle();
    // The run ends during the stop: nothing new may start, and the queued tick is not handled.
    await first.runtime.running("q")[0]?.finish(0);
    await stopped;
    expect(first.runtime.started).toHaveLength(1);
    const saved = first.scheduler.cursors();
    expect(saved.q).toBe("2026-11-26T03:00:01.999Z");

    const second = setup("2026-11-26T03:00:04.500Z");
    second.add({ name: "q", schedule: everySecond, overlap: "queue", missed: "skip" });
    await second.scheduler.catchUp(saved);
    // 03:00:02 (queued at the stop), 03:00:03 and 03:00:04 (the agent down).
    expect(second.recorded[0]?.reason).toMatch(/^3 ticks missed/);
  });

  it("a tick still waiting for a --max-parallel slot when the agent stops is missed at the next start", async () => {
    const first = setup("2026-11-26T03:00:00.500Z", 1);
    first.add({ name: "a", schedule: everySecond, missed: "skip" });
    first.add({ name: "b", schedule: everySecond, missed: "skip" });
    first.scheduler.start();
    await first.clock.advance(500); // 03:00:01: one of them runs, the other waits for the slot
    expect(first.runtime.started).toHaveLength(1);
    const waiting = first.runtime.started[0]?.spec.name === "a" ? "b" : "a";
    await first.scheduler.stop(0);
    expect(first.scheduler.cursors()[waiting]).toBe("2026-11-26T03:00:00.999Z");
  });

  it("a run adopted from the engine is not counted as missed", async () => {
    const { runtime, recorded, scheduler, add } = setup("2026-11-26T03:00:30.000Z");
    add({ name: "a", schedule: "* * * * *", missed: "run-once" });
    scheduler.adopt([
      {
        runId: "a-20261126T030000Z-1",
        job: "a",
        revision: "r0",
        agent: null,
        scheduledAt: new Date("2026-11-26T03:00:00Z"),
        running: true,
        id: "c1",
      },
    ]);
    await scheduler.catchUp({ a: "2026-11-26T02:59:00.000Z" });
    expect(runtime.started.map((r) => r.runId)).toEqual(["a-20261126T030000Z-1"]);
    expect(recorded).toHaveLength(0);
    await runtime.running("a")[0]?.finish(0);
    await settle();
    expect(recorded.map((r) => [r.run, r.outcome])).toEqual([
      ["a-20261126T030000Z-1", "succeeded"],
    ]);
  });
});

describe("DST days", () => {
  it("Europe/Amsterdam 2026-03-29: 02:30 does not exist and fires once, at 03:30 CEST", async () => {
    const { clock, runtime, scheduler, add } = setup("2026-03-29T00:00:00.000Z");
    add({ name: "dst", schedule: "30 2 * * *", timezone: "Europe/Amsterdam" });
    scheduler.start();
    await clock.advance(6 * 3600_000);
    expect(runtime.started.map((r) => r.scheduledAt.toISOString())).toEqual([
      "2026-03-29T01:30:00.000Z",
    ]);
    await scheduler.stop(0);
  });

  it("Europe/Amsterdam 2026-10-25: 02:30 happens twice and fires once", async () => {
    const { clock, runtime, scheduler, add } = setup("2026-10-24T23:00:00.000Z");
    add({ name: "dst", schedule: "30 2 * * *", timezone: "Europe/Amsterdam", overlap: "skip" });
    scheduler.start();
    for (let i = 0; i < 6; i++) {
      await clock.advance(3600_000);
      for (const h of runtime.running("dst")) await h.finish(0);
    }
    expect(runtime.started.map((r) => r.scheduledAt.toISOString())).toEqual([
      "2026-10-25T00:30:00.000Z",
    ]);
    await scheduler.stop(0);
  });
});

describe("held (a standby, or a leader that cannot renew its lease)", () => {
  it("starts nothing while held; released, it counts the ticks that passed as missed and goes on", async () => {
    const { clock, runtime, recorded, scheduler, add } = setup("2026-11-26T03:00:00.500Z");
    add({ name: "m", schedule: "* * * * *", missed: "skip" });
    scheduler.hold();
    scheduler.start();
    // A leader from the start; later it cannot renew its lease (held) for five ticks.
    await scheduler.release();
    expect(recorded).toEqual([]);
    scheduler.hold();
    await clock.advance(5 * 60_000);
    expect(runtime.started).toHaveLength(0);
    await scheduler.release();
    expect(recorded.map((r) => [r.outcome, r.reason?.split(";")[0]])).toEqual([
      ["missed", expect.stringMatching(/^5 ticks missed/)],
    ]);
    await clock.advance(60_000);
    expect(runtime.started.map((r) => r.scheduledAt.toISOString())).toEqual([
      "2026-11-26T03:06:00.000Z",
    ]);
    await scheduler.stop(0);
  });

  it("a run going on when held finishes and is recorded; the tick queued behind it waits for release", async () => {
    const { clock, runtime, recorded, scheduler, add } = setup("2026-11-26T03:00:00.500Z");
    add({ name: "q", schedule: everySecond, overlap: "queue" });
    scheduler.start();
    await clock.advance(500);
    expect(runtime.started).toHaveLength(1);
    await clock.advance(1_000);
    scheduler.hold();
    await runtime.running("q")[0]?.finish(0);
    await settle();
    expect(recorded.map((r) => r.outcome)).toEqual(["succeeded"]);
    await clock.advance(3_000);
    expect(runtime.started).toHaveLength(1);
    await scheduler.release();
    expect(runtime.started).toHaveLength(2);
    await scheduler.stop(0);
  });

  it("a standby that never ran takes the status branch's last record of a job as its cursor", async () => {
    const { clock, recorded, scheduler, add } = setup("2026-11-26T03:00:00.500Z");
    add({ name: "r", schedule: "* * * * *", missed: "skip" });
    scheduler.hold();
    scheduler.start();
    await clock.advance(10 * 60_000);
    await scheduler.release({ r: "2026-11-26T03:07:00.000Z" });
    expect(recorded[0]?.reason).toMatch(/^3 ticks missed/);
    await scheduler.stop(0);
  });
});
