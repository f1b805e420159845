// The scheduler's decisions as tables, as the Kubernetes CronJob controller's are tested: each
// row a state, what happened and what must be done. No clock, no runtime, no scheduler.

import { describe, expect, test } from "vitest";
import {
  type AfterRunDecision,
  decideAfterRun,
  decideQueued,
  decideTick,
  type TickDecision,
  type TickState,
} from "../../src/scheduler/decisions.js";

const T = (hms: string) => new Date(`2026-11-26T${hms}Z`);
const idle: TickState = { lastInstant: null, active: null, queued: false };
const running = (queued = false): TickState => ({
  lastInstant: T("03:00:00"),
  active: { runId: "j-20261126T030000Z-1", phase: "running" },
  queued,
});
const parked = (phase: "waiting-slot" | "backoff"): TickState => ({
  lastInstant: T("03:00:00"),
  active: { runId: "j-20261126T030000Z-1", phase },
  queued: false,
});
const schedule = (hms: string) => ({ scheduledAt: T(hms), trigger: "schedule" });
const manual = (hms: string) => ({ scheduledAt: T(hms), trigger: "manual" });
const stillGoing = "run j-20261126T030000Z-1 was still going";

describe("a tick", () => {
  test.each<
    [string, TickState, "queue" | "skip" | "replace", ReturnType<typeof schedule>, TickDecision]
  >([
    ["idle job, queue", idle, "queue", schedule("03:00:00"), { do: "start" }],
    ["idle job, skip", idle, "skip", schedule("03:00:00"), { do: "start" }],
    ["idle job, replace", idle, "replace", schedule("03:00:00"), { do: "start" }],
    ["running, queue", running(), "queue", schedule("03:01:00"), { do: "queue" }],
    [
      "running with one queued, queue",
      running(true),
      "queue",
      schedule("03:02:00"),
      { do: "merge", into: "queued" },
    ],
    ["running, skip", running(), "skip", schedule("03:01:00"), { do: "skip", reason: stillGoing }],
    [
      "running with one queued, skip",
      running(true),
      "skip",
      schedule("03:01:00"),
      { do: "skip", reason: stillGoing },
    ],
    [
      "running, replace",
      running(),
      "replace",
      schedule("03:01:00"),
      { do: "replace-running", reason: "replaced by a newer run" },
    ],
    [
      "waiting for a slot, replace",
      parked("waiting-slot"),
      "replace",
      schedule("03:01:00"),
      { do: "replace-waiting" },
    ],
    [
      "backing off before a retry, replace",
      parked("backoff"),
      "replace",
      schedule("03:01:00"),
      { do: "replace-waiting" },
    ],
    [
      "backing off before a retry, queue",
      parked("backoff"),
      "queue",
      schedule("03:01:00"),
      { do: "queue" },
    ],
    [
      "waiting for a slot, skip",
      parked("waiting-slot"),
      "skip",
      schedule("03:01:00"),
      { do: "skip", reason: stillGoing },
    ],
    // A manual run took this second: the schedule's tick of the same second is that run.
    [
      "its second taken by a manual run",
      { ...idle, lastInstant: T("03:00:00") },
      "queue",
      schedule("03:00:00"),
      { do: "merge", into: "instant" },
    ],
    [
      "a second before the one taken",
      { ...idle, lastInstant: T("03:00:00") },
      "queue",
      schedule("02:59:59"),
      { do: "merge", into: "instant" },
    ],
    [
      "the second after the one taken",
      { ...idle, lastInstant: T("03:00:00") },
      "queue",
      schedule("03:00:01"),
      { do: "start" },
    ],
  ])("%s", (_, state, overlap, tick, expected) => {
    expect(decideTick(state, overlap, tick)).toEqual(expected);
  });

  test("a manual request is never merged into the instant it shares", () => {
    expect(
      decideTick({ ...idle, lastInstant: T("03:00:00") }, "queue", manual("03:00:00")),
    ).toEqual({
      do: "start",
    });
    expect(decideTick(running(), "queue", manual("03:00:00"))).toEqual({ do: "queue" });
  });
});

describe("after a run", () => {
  const base = {
    now: T("03:00:10"),
    attempt: 1,
    retries: { limit: 2, backoffMs: 30_000 },
    removed: false,
    interrupted: false,
    queued: false,
    startsNothing: false,
  };
  test.each<[string, Partial<Parameters<typeof decideAfterRun>[0]>, AfterRunDecision]>([
    ["succeeded", { outcome: "succeeded" }, { do: "idle" }],
    ["succeeded, a tick queued", { outcome: "succeeded", queued: true }, { do: "start-queued" }],
    [
      "failed, retries left",
      { outcome: "failed" },
      { do: "retry", attempt: 2, retryAt: T("03:00:40") },
    ],
    [
      "timed out, retries left",
      { outcome: "timeout" },
      { do: "retry", attempt: 2, retryAt: T("03:00:40") },
    ],
    [
      "could not start, retries left",
      { outcome: "error" },
      { do: "retry", attempt: 2, retryAt: T("03:00:40") },
    ],
    // The backoff doubles: 30 s before attempt 2, 60 s before attempt 3.
    [
      "failed on attempt 2 of 3",
      { outcome: "failed", attempt: 2 },
      { do: "retry", attempt: 3, retryAt: T("03:01:10") },
    ],
    ["failed on the last attempt", { outcome: "failed", attempt: 3 }, { do: "idle" }],
    [
      "failed on the last attempt, a tick queued",
      { outcome: "failed", attempt: 3, queued: true },
      { do: "start-queued" },
    ],
    [
      "failed, retries left, but the retry waits before the queued tick",
      { outcome: "failed", queued: true },
      { do: "retry", attempt: 2, retryAt: T("03:00:40") },
    ],
    [
      "failed, no retries",
      { outcome: "failed", retries: { limit: 0, backoffMs: 30_000 } },
      { do: "idle" },
    ],
    [
      "failed, the job removed meanwhile",
      { outcome: "failed", removed: true, queued: true },
      { do: "idle" },
    ],
    [
      "stopped by a newer run (replace)",
      { outcome: "failed", interrupted: true, queued: true },
      { do: "start-queued" },
    ],
    [
      "succeeded while the agent stops: the queued tick waits for the next start",
      { outcome: "succeeded", queued: true, startsNothing: true },
      { do: "idle" },
    ],
  ])("%s", (_, input, expected) => {
    expect(decideAfterRun({ ...base, outcome: "succeeded", ...input })).toEqual(expected);
  });
});

describe("a queued tick's turn", () => {
  test.each<[string, string, number | undefined, ReturnType<typeof decideQueued>]>([
    ["no startingDeadline", "03:30:00", undefined, { do: "start" }],
    ["within startingDeadline", "03:00:50", 60_000, { do: "start" }],
    ["just at startingDeadline", "03:01:00", 60_000, { do: "start" }],
    [
      "past startingDeadline",
      "03:01:01",
      60_000,
      { do: "miss", reason: "waited 61s behind the previous run, past startingDeadline" },
    ],
  ])("%s", (_, now, deadline, expected) => {
    expect(decideQueued(T(now), T("03:00:00"), deadline)).toEqual(expected);
  });
});
