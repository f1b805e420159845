// Missed ticks: the agent is stopped (SIGTERM) for several ticks and started again.
// `missed: skip` → one `missed` summary naming how many; `run-once` within startingDeadline →
// one catch-up run; `run-once` past it → `missed`.

import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../src/status/summary.js";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ticks missed while the agent was down", () => {
  it("skip records one missed summary with the count; run-once catches up within the deadline, not past it", async () => {
    const w = await hooks.world("missed", (p) => ({
      [`${p}-skip.yaml`]: jobYaml("*/2 * * * * *", "echo skip"),
      [`${p}-once.yaml`]: jobYaml(
        "*/2 * * * * *",
        "echo once",
        "missed: run-once\nstartingDeadline: 1m\n",
      ),
      [`${p}-late.yaml`]: jobYaml(
        "*/6 * * * * *",
        "echo late",
        "missed: run-once\nstartingDeadline: 1s\n",
      ),
    }));
    const [skip, once, late] = ["skip", "once", "late"].map((n) => `${w.prefix}-${n}`) as [
      string,
      string,
      string,
    ];
    const first = await hooks.agent(w);
    await until(
      "each job ran",
      async () => {
        const jobs = new Set((await w.records()).map((r) => r.job));
        return jobs.has(skip) && jobs.has(once) && jobs.has(late) ? true : undefined;
      },
      20_000,
    );
    first.signal("SIGTERM");
    expect((await first.exited).code).toBe(0);
    const lastBefore = (runs: RunSummary[]) =>
      Math.max(...runs.map((r) => Date.parse(r.scheduledAt)));
    const before = await w.records();
    const skipLastTick = lastBefore(before.filter((r) => r.job === skip));

    // Down for more than one tick of every job; back 2.5–3.5 s after a tick of `late`, so its
    // newest missed tick is past its 1 s deadline.
    await sleep(7_000);
    for (;;) {
      const intoTick = Date.now() % 6_000;
      if (intoTick >= 2_500 && intoTick < 3_500) break;
      await sleep(100);
    }
    const restartAt = Date.now();
    const second = await hooks.agent(w);

    const missedSkip = await until("skip's missed summary", async () =>
      (await w.runsOf(skip)).find((r) => r.outcome === "missed"),
    );
    const count = Number(
      /^(\d+) ticks? missed while no agent ran the job/.exec(missedSkip.reason ?? "")?.[1],
    );
    expect(count).toBe((Date.parse(missedSkip.scheduledAt) - skipLastTick) / 2_000);
    expect(count).toBeGreaterThanOrEqual(3);

    const catchUp = await until("once's catch-up run", async () =>
      (await w.runsOf(once)).find((r) => r.trigger === "catch-up"),
    );
    expect(catchUp).toMatchObject({ outcome: "succeeded", logTail: "once" });
    expect(Date.parse(catchUp.scheduledAt)).toBeLessThanOrEqual(restartAt);

    const missedLate = await until("late's missed summary", async () =>
      (await w.runsOf(late)).find((r) => r.outcome === "missed"),
    );
    expect(missedLate.reason).toMatch(/past startingDeadline, so none was run$/);

    second.signal("SIGTERM");
    expect((await second.exited).code).toBe(0);
    const after = await w.records();
    expect(after.filter((r) => r.job === skip && r.outcome === "missed")).toHaveLength(1);
    expect(after.filter((r) => r.job === once && r.trigger === "catch-up")).toHaveLength(1);
    expect(after.filter((r) => r.job === late && r.trigger === "catch-up")).toHaveLength(0);
    await w.finish({ "agent down for ticks": 1 }, { skipTicksMissed: count });
  });
});
