// Each change of a job's health is one event: failure, recovery, late — never one per failed
// run of a job that keeps failing; missed ticks are told every time.

import { describe, expect, it } from "vitest";
import { checkLate, healthFromRuns, newHealth, observeRun } from "../../src/notify/health.js";
import type { RunSummary } from "../../src/status/summary.js";
import { summary } from "../status/fixtures.js";

const spec = { retries: { limit: 0, backoffMs: 0 }, suspended: false };
const run = (outcome: RunSummary["outcome"], n: number, attempt = 1): RunSummary =>
  summary("job", n, { outcome, attempt, exitCode: outcome === "succeeded" ? 0 : 1 });

/** The events a sequence of runs sends, from a healthy start. */
function events(outcomes: RunSummary["outcome"][], retries = 0) {
  let health = newHealth(0);
  const sent: string[] = [];
  outcomes.forEach((outcome, n) => {
    const change = observeRun(health, run(outcome, n), {
      ...spec,
      retries: { limit: retries, backoffMs: 0 },
    });
    health = change.health;
    if (change.event) sent.push(change.event);
  });
  return sent;
}

describe("events from runs", () => {
  it.each([
    [
      ["failed", "succeeded"],
      ["failure", "recovery"],
    ],
    [["failed", "failed", "timeout", "error"], ["failure"]],
    [["succeeded", "succeeded"], []],
    [
      ["failed", "succeeded", "failed", "succeeded"],
      ["failure", "recovery", "failure", "recovery"],
    ],
    [
      ["missed", "missed"],
      ["missed", "missed"],
    ],
    [["skipped", "failed"], ["failure"]],
  ] as const)("%j → %j", (outcomes, want) => {
    expect(events([...outcomes])).toEqual(want);
  });

  it("a failed run that will be retried is not a failure yet", () => {
    let health = newHealth(0);
    const retrying = { ...spec, retries: { limit: 2, backoffMs: 0 } };
    for (const attempt of [1, 2]) {
      const change = observeRun(health, run("failed", 0, attempt), retrying);
      expect(change.event).toBeUndefined();
      health = change.health;
    }
    expect(observeRun(health, run("failed", 0, 3), retrying).event).toBe("failure");
  });
});

describe("late", () => {
  const window = 5_000;
  it("no success within the window of when the job was applied is late, once", () => {
    const first = checkLate(newHealth(1_000), spec, window, 6_001);
    expect(first.event).toBe("late");
    expect(checkLate(first.health, spec, window, 60_000).event).toBeUndefined();
    // A success brings it back, with a recovery.
    const back = observeRun(first.health, run("succeeded", 0), spec);
    expect(back.event).toBe("recovery");
  });

  it("counts from the last success; a suspended or failing job is never late", () => {
    const succeeded = { ...newHealth(0), lastSuccessAt: 10_000 };
    expect(checkLate(succeeded, spec, window, 14_000).event).toBeUndefined();
    expect(checkLate(succeeded, spec, window, 15_001).event).toBe("late");
    expect(checkLate(succeeded, { suspended: true }, window, 99_000).event).toBeUndefined();
    expect(
      checkLate({ ...succeeded, state: "failing" }, spec, window, 99_000).event,
    ).toBeUndefined();
  });
});

describe("health from the status branch", () => {
  it("a restart picks up failing, late or healthy from the recorded runs, with no event", () => {
    expect(
      healthFromRuns([run("succeeded", 0), run("failed", 1)], spec, 0, undefined, 0).state,
    ).toBe("failing");
    const ok = healthFromRuns([run("succeeded", 0)], spec, 0, undefined, 0);
    expect(ok.state).toBe("healthy");
    expect(ok.lastSuccessAt).toBe(Date.parse(run("succeeded", 0).finishedAt as string));
    expect(healthFromRuns([], spec, 0, 5_000, 10_000).state).toBe("late");
  });
});
