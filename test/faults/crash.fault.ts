// Crash and adoption: the agent is SIGKILLed while a run goes on, or after a run's container
// has exited but before the agent recorded it. The next start adopts or records from the
// engine: no second container for the job, the end recorded exactly once.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { containersOfJob } from "../helpers/docker.js";
import { docker, faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();

/** A run that ends when the test says so (a file in a host folder), not after a time that a
 * loaded machine could spend before the agent is killed or frozen. */
async function gate(after: string) {
  const dir = await mkdtemp(join(tmpdir(), "gitcron-gate-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return {
    flags: { "allow-host-path": dir },
    job: (schedule: string) =>
      jobYaml(
        schedule,
        `until [ -e /gate/go ]; do sleep 0.1; done; ${after}`,
        `volumes:\n  - { hostPath: "${dir}", path: /gate }\n`,
      ),
    open: () => writeFile(join(dir, "go"), ""),
  };
}

const stateOf = async (job: string, state: string) =>
  (await containersOfJob(docker, job)).find((c) => c.State === state);

describe("crash and adoption", () => {
  it("SIGKILL during a long run: the next start adopts the container and records its end once", async () => {
    const g = await gate("echo slept");
    const w = await hooks.world("crash-running", (p) => ({
      [`${p}-long.yaml`]: g.job("*/4 * * * * *"),
    }));
    const job = `${w.prefix}-long`;
    const first = await hooks.agent(w, { flags: g.flags });
    const running = await until("a running container", () => stateOf(job, "running"), 20_000);
    const runId = running.Labels["gitcron.run"] as string;
    first.signal("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    // The engine keeps the run going without its agent.
    expect((await stateOf(job, "running"))?.Id).toBe(running.Id);

    const second = await hooks.agent(w, { flags: g.flags });
    const adopting = await second.waitForLog((l) => l.msg === "adopting runs found in the engine");
    expect(adopting.runs).toContain(runId);
    await g.open();
    const record = await until("the adopted run's record", async () =>
      (await w.runsOf(job)).find((r) => r.run === runId),
    );
    expect(record).toMatchObject({ outcome: "succeeded", exitCode: 0, logTail: "slept" });
    // And the next runs follow, one at a time.
    await until("a run after the adopted one", async () =>
      (await w.runsOf(job)).some((r) => r.outcome === "succeeded" && r.run !== runId)
        ? true
        : undefined,
    );
    second.signal("SIGTERM");
    expect((await second.exited).code).toBe(0);
    const ledger = await w.finish({ "SIGKILL during a run": 1 });
    expect((await w.runsOf(job)).filter((r) => r.run === runId)).toHaveLength(1);
    expect(ledger.containersSeen).toBeGreaterThanOrEqual(2);
  });

  it("SIGKILL after the container exited but before the agent recorded it: recorded from the engine on restart, once", async () => {
    const g = await gate("echo finished; exit 4");
    const w = await hooks.world("crash-exited", (p) => ({
      [`${p}-short.yaml`]: g.job("*/3 * * * * *"),
    }));
    const job = `${w.prefix}-short`;
    const first = await hooks.agent(w, { flags: g.flags });
    const running = await until("a running container", () => stateOf(job, "running"), 20_000);
    const runId = running.Labels["gitcron.run"] as string;
    // Frozen, the agent cannot record the end; the engine keeps the exited container.
    first.signal("SIGSTOP");
    await g.open();
    const exited = await until("the container exited", async () =>
      (await containersOfJob(docker, job)).find((c) => c.Id === running.Id && c.State === "exited"),
    );
    first.signal("SIGKILL");
    await first.exited;
    expect(exited.Id).toBe(running.Id);

    const second = await hooks.agent(w, { flags: g.flags });
    const record = await until("the exited run's record", async () =>
      (await w.runsOf(job)).find((r) => r.run === runId),
    );
    expect(record).toMatchObject({ outcome: "failed", exitCode: 4, logTail: "finished" });
    await until("the exited container removed", async () =>
      (await containersOfJob(docker, job)).some((c) => c.Id === running.Id) ? undefined : true,
    );
    second.signal("SIGTERM");
    expect((await second.exited).code).toBe(0);
    await w.finish({ "SIGSTOP+SIGKILL after a run exited": 1 });
    expect((await w.runsOf(job)).filter((r) => r.run === runId && r.attempt === 1)).toHaveLength(1);
  });
});
