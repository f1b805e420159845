// Missed ticks: the agent is stopped (SIGTERM) for several ticks and started again.
// `missed: skip` → one `missed` summary naming how many; `run-once` within startingDeadline →
// one catch-up run; `run-once` past it → `missed`.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
/** Sleeps until the wall-clock instant `at` (ms): the schedule's own instants, not a guess. */
const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

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
        "*/10 * * * * *",
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
    const stoppedAt = Date.now();
    expect((await first.exited).code).toBe(0);
    // What the agent handled last, by its own account: the missed ticks are counted from it.
    const cursors = JSON.parse(
      await readFile(join(w.dir("data"), "cursors.json"), "utf8"),
    ) as Record<string, string>;
    const skipCursor = Date.parse(cursors[skip] ?? "");
    expect(skipCursor).toBeGreaterThan(0);

    // Down for more than three ticks of skip; back 2–3 s after a tick of `late` (every 10 s),
    // so its newest missed tick is past its 1 s deadline, and the next one is 7 s away: time
    // for a loaded machine to start the agent before it.
    let restart = stoppedAt + 7_000;
    restart += (12_000 - (restart % 10_000)) % 10_000;
    await sleepUntil(restart);
    const restartAt = Date.now();
    const second = await hooks.agent(w);

    const missedSkip = await until("skip's missed summary", async () =>
      (await w.runsOf(skip)).find((r) => r.outcome === "missed"),
    );
    const count = Number(
      /^(\d+) ticks? missed while no agent ran the job/.exec(missedSkip.reason ?? "")?.[1],
    );
    // Every tick after the cursor up to the newest before the restart, each counted once.
    expect(count).toBe(Math.floor((Date.parse(missedSkip.scheduledAt) - skipCursor) / 2_000));
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
