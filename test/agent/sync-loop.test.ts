// The sync loop's backoff (docs/agent.md, "When the remote is down or slow"): a failing sync is
// retried doubling from --interval, at most 5 minutes apart, and a success goes back to
// --interval. Driven by a fake clock: the instants are the loop's own, no sleeping.

import { afterEach, describe, expect, it } from "vitest";
import { type SyncLoop, startSyncLoop } from "../../src/agent/sync-loop.js";
import { silentLogger } from "../../src/log.js";
import { SourceError } from "../../src/source/source-error.js";
import { FakeClock } from "../helpers/fake-clock.js";

const loops: SyncLoop[] = [];
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
});

/** A loop at --interval 30s whose steps throw what `outcome()` gives; returns the instants of its
 * steps, in seconds from the start. */
function loop(clock: FakeClock, outcome: () => Error | null) {
  const start = clock.now().getTime();
  const steps: number[] = [];
  loops.push(
    startSyncLoop({
      clock,
      intervalMs: 30_000,
      logger: silentLogger(),
      async step() {
        steps.push((clock.now().getTime() - start) / 1000);
        const err = outcome();
        if (err) throw err;
        return { changed: false };
      },
      after: () => {},
    }),
  );
  return steps;
}

const down = () => new SourceError("git fetch failed: connection refused", { retryable: true });

describe("sync backoff", () => {
  it("doubles from --interval up to 5 minutes while the remote is down, and is back to --interval after a success", async () => {
    const clock = new FakeClock("2026-01-01T00:00:00Z");
    let failing = true;
    const steps = loop(clock, () => (failing ? down() : null));
    await clock.advance(1_500_000);
    const gaps = steps.slice(1).map((t, i) => t - (steps[i] as number));
    // 30 s × 2, × 4, × 8, then capped at 300 s.
    expect(gaps.slice(0, 6)).toEqual([60, 120, 240, 300, 300, 300]);
    expect(Math.max(...gaps)).toBe(300);

    failing = false;
    const healed = steps.length;
    await clock.advance(400_000);
    const after = steps.slice(healed - 1);
    const gapsAfter = after.slice(1).map((t, i) => t - (after[i] as number));
    // The first success comes at the backoff; from it on, every --interval.
    expect(gapsAfter[0]).toBeLessThanOrEqual(300);
    expect(gapsAfter.slice(1).every((g) => g === 30)).toBe(true);
    expect(gapsAfter.length).toBeGreaterThan(5);
  });

  it("a revision that is refused (not retryable) is fetched again every --interval, not backed off", async () => {
    const clock = new FakeClock("2026-01-01T00:00:00Z");
    const steps = loop(
      clock,
      () => new SourceError("head commit 1a2b3c4d5e6f is not signed", { retryable: false }),
    );
    await clock.advance(300_000);
    const gaps = steps.slice(1).map((t, i) => t - (steps[i] as number));
    expect(gaps).toEqual(Array(10).fill(30));
  });
});
