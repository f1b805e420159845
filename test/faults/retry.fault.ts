// A retry waiting for its backoff when the agent is stopped (SIGTERM) and started again: the
// next start takes it up at its time, so a restart between a failure and its retry does not
// drop the retry (as a Kubernetes Job keeps retrying across controller restarts).

import { describe, expect, it } from "vitest";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const BACKOFF_MS = 12_000;

describe("a retry waiting when the agent stops", () => {
  it("is taken up by the next start at its time and recorded once, as the tick's attempt 2", async () => {
    // Every 30 s, so the restart and the retry both fall before the job's next tick.
    const w = await hooks.world("retry", (p) => ({
      [`${p}-flaky.yaml`]: jobYaml(
        "*/30 * * * * *",
        "echo failing; exit 1",
        `retries: { limit: 1, backoff: ${BACKOFF_MS / 1000}s }\n`,
      ),
    }));
    const job = `${w.prefix}-flaky`;
    const first = await hooks.agent(w);
    const failed = await first.waitForLog((line) => line.msg === `${job}: failed`, 45_000);
    // When the run ended by the agent's own record, not when this test got to read the line.
    const failedAt = Date.parse(String(failed.finishedAt));
    first.signal("SIGTERM");
    expect((await first.exited).code).toBe(0);

    const second = await hooks.agent(w);
    const retry = await until(
      "the retry's record",
      async () => (await w.runsOf(job)).find((r) => r.attempt === 2),
      40_000,
    );
    expect(retry).toMatchObject({ trigger: "retry", outcome: "failed", logTail: "failing" });
    // At its time, the backoff after the failure, not at once on the restart.
    expect(Date.parse(retry.startedAt ?? "")).toBeGreaterThanOrEqual(failedAt + BACKOFF_MS);

    second.signal("SIGTERM");
    expect((await second.exited).code).toBe(0);
    const ofTick = (await w.runsOf(job)).filter((r) => r.scheduledAt === retry.scheduledAt);
    expect(ofTick.map((r) => r.attempt).sort()).toEqual([1, 2]);
    await w.finish({ "restart during a retry's backoff": 1 });
  });
});
