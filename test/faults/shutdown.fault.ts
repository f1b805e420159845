// Shutdown: SIGTERM while runs go on. Nothing new starts; a run that ends within the 30 s
// grace is recorded and the process exits 0; a run still going is left running, and the next
// start adopts it and records it once.

import { describe, expect, it } from "vitest";
import { LABEL } from "../../src/runtime/names.js";
import { containersOfJob } from "../helpers/docker.js";
import { docker, faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();

describe("SIGTERM during runs", () => {
  it("starts nothing new, records what ends within the grace, leaves the rest to the next start", async () => {
    // The long job is never due: it is started once, by "Run now", once the agent runs, and
    // outlasts the 30 s grace.
    const w = await hooks.world("shutdown", (p) => ({
      [`${p}-short.yaml`]: jobYaml("*/3 * * * * *", "sleep 2; echo short"),
      [`${p}-long.yaml`]: jobYaml("0 0 1 1 *", "sleep 38; echo long"),
    }));
    const [short, long] = [`${w.prefix}-short`, `${w.prefix}-long`];
    const token = "a-token-for-run-now-0123456789";
    const first = await hooks.agent(w, { flags: { "api-token": token } });
    const started = (job: string) =>
      first.logs.filter((l) => l.msg === "run started" && l.job === job).length;
    const runNow = await fetch(`http://127.0.0.1:${first.port}/jobs/${long}/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(runNow.status).toBe(202);
    expect(await runNow.json()).toMatchObject({ action: "started" });
    await until("the long run going", () => (started(long) > 0 ? true : undefined), 20_000);
    const shortBefore = started(short);
    await until("a short run just started", () =>
      started(short) > shortBefore ? true : undefined,
    );
    first.signal("SIGTERM");
    const signalledAt = Date.now();
    const runsAtSignal = new Set(
      (await docker.listContainers({ all: true, filters: { label: [LABEL.job] } }))
        .filter((c) => (c.Labels[LABEL.job] ?? "").startsWith(w.prefix))
        .map((c) => c.Labels[LABEL.run]),
    );
    const longRun = (await containersOfJob(docker, long))[0]?.Labels[LABEL.run] as string;
    const shortRun = first.logs.filter((l) => l.msg === "run started" && l.job === short).at(-1)
      ?.run as string;

    // The process ends after the grace, whatever runs still hold connections to the engine.
    await first.waitForLog((l) => l.msg === "agent stopped", 40_000);
    const graceMs = Date.now() - signalledAt;
    const exit = await Promise.race([
      first.exited,
      new Promise((r) => setTimeout(() => r("still running 5 s after 'agent stopped'"), 5_000)),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(graceMs).toBeGreaterThanOrEqual(29_000);
    // The short run ended within the grace and is on the branch; no run started after the signal.
    expect((await w.runsOf(short)).find((r) => r.run === shortRun)).toMatchObject({
      outcome: "succeeded",
    });
    expect(
      first.logs.filter((l) => l.msg === "run started" && Number(l.time) > signalledAt),
    ).toEqual([]);
    expect(first.logs.some((l) => l.msg === "runs left going; the next start adopts them")).toBe(
      true,
    );
    const live = await containersOfJob(docker, long);
    expect(live.map((c) => [c.Labels[LABEL.run], c.State])).toEqual([[longRun, "running"]]);
    expect((await w.runsOf(long)).some((r) => r.run === longRun)).toBe(false);

    const second = await hooks.agent(w);
    const record = await until(
      "the long run's record",
      async () => (await w.runsOf(long)).find((r) => r.run === longRun),
      15_000,
    );
    expect(record).toMatchObject({ outcome: "succeeded", logTail: "long" });
    second.signal("SIGTERM");
    expect((await second.exited).code).toBe(0);
    await w.finish({ "SIGTERM during runs": 1 }, { graceMs, runsAtSignal: runsAtSignal.size });
    expect((await w.runsOf(long)).filter((r) => r.run === longRun)).toHaveLength(1);
  });

  it("names the runs it waits for; a second signal exits at once and says what the next start finds", async () => {
    const w = await hooks.world("second-signal", (p) => ({
      [`${p}-long.yaml`]: jobYaml("*/2 * * * * *", "sleep 20; echo long", "overlap: skip\n"),
    }));
    const job = `${w.prefix}-long`;
    const first = await hooks.agent(w);
    await first.waitForLog((l) => l.msg === "run started" && l.job === job, 20_000);
    first.signal("SIGINT");
    const stopping = await first.waitForLog((l) => String(l.msg).startsWith("stopping:"), 10_000);
    expect(stopping.running).toEqual([job]);
    expect(stopping.msg).toContain("a second signal exits at once");
    first.signal("SIGINT");
    const last = await first.waitForLog((l) => String(l.msg).startsWith("second signal:"), 10_000);
    expect(last).toMatchObject({ leftRunning: 1, unpushed: 0 });
    expect(await first.exited).toEqual({ code: 130, signal: null });
    expect(first.logs.some((l) => l.msg === "agent stopped")).toBe(false);

    // As it said: the next start adopts the run and records it once.
    const second = await hooks.agent(w);
    await until(
      "the run recorded",
      async () => ((await w.runsOf(job)).some((r) => r.outcome === "succeeded") ? true : undefined),
      40_000,
    );
    second.signal("SIGTERM");
    await second.exited;
    await w.finish({ "second signal during the stop": 1 });
  });
});
