// The engine as the lock: a second creator for the same tick — a container made by hand under
// the run's name, or a second agent on the same repository — gets a name conflict, and the
// agent adopts the container that exists instead of starting another.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { containerNameFor, LABEL, runIdFor } from "../../src/runtime/names.js";
import { containersOfJob, engine, TEST_IMAGE } from "../helpers/docker.js";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const run = promisify(execFile);
const docker = engine();

describe("the engine as the lock", () => {
  it("a container made by hand under the tick's name is adopted, not doubled", async () => {
    const w = await hooks.world("lock-manual", (p) => ({
      [`${p}-five.yaml`]: jobYaml("*/5 * * * * *", "echo from-agent"),
    }));
    const job = `${w.prefix}-five`;
    const agent = await hooks.agent(w);
    await until("a first run", async () => ((await w.runsOf(job)).length > 0 ? true : undefined));
    // The next tick at least 2 s away: its container is made by hand first, and started just
    // before the tick once the agent's previous run has ended (a loaded engine can take seconds
    // to start and end one), so that it is the only container of the job going.
    const tick = new Date(Math.ceil((Date.now() + 2_000) / 5_000) * 5_000);
    const runId = runIdFor(job, tick, 1);
    const name = containerNameFor(job, tick, 1, agent.id);
    await run("docker", [
      "create",
      "--name",
      name,
      "--label",
      `${LABEL.agent}=${agent.id}`,
      "--label",
      `${LABEL.job}=${job}`,
      "--label",
      `${LABEL.run}=${runId}`,
      "--label",
      `${LABEL.scheduledAt}=${tick.toISOString()}`,
      TEST_IMAGE,
      "sh",
      "-c",
      "sleep 3; echo made-by-hand",
    ]);
    await new Promise((r) => setTimeout(r, tick.getTime() - 1_000 - Date.now()));
    await until("no run of the job going", async () =>
      (await containersOfJob(docker, job)).every((c) => c.State !== "running") ? true : undefined,
    );
    await run("docker", ["start", name]);
    const record = await until("the hand-made run's record", async () =>
      (await w.runsOf(job)).find((r) => r.run === runId),
    );
    expect(record).toMatchObject({ outcome: "succeeded", logTail: "made-by-hand" });
    expect(agent.logs.some((l) => l.msg === "a container for this run exists; adopting it")).toBe(
      true,
    );
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "hand-made container for a tick": 1 });
    expect((await w.runsOf(job)).filter((r) => r.run === runId)).toHaveLength(1);
  });

  it("two agents on the same repository: one container per tick, each run recorded once", async () => {
    const w = await hooks.world("lock-two-agents", (p) => ({
      [`${p}-shared.yaml`]: jobYaml("*/2 * * * * *", "sleep 1; echo shared"),
    }));
    const job = `${w.prefix}-shared`;
    const [a, b] = await Promise.all([
      hooks.agent(w, { data: "data-a" }),
      hooks.agent(w, { data: "data-b" }),
    ]);
    const conflicts = () =>
      [a, b]
        .flatMap((x) => x.logs)
        .filter((l) => l.msg === "a container for this run exists; adopting it").length;
    await until(
      "four runs and a name conflict",
      async () => ((await w.runsOf(job)).length >= 4 && conflicts() > 0 ? true : undefined),
      // As the test below: a loaded engine starts a container in ~1 s, and the two agents'
      // pushes race on one branch.
      40_000,
    );
    a.signal("SIGTERM");
    b.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
    await w.finish(
      { "second agent on the same repository": 1 },
      {
        nameConflicts: conflicts(),
      },
    );
    const runs = await w.runsOf(job);
    expect(new Set(runs.map((r) => r.run)).size).toBe(runs.length);
  });

  it("two agents on the same repository, a job longer than its interval: never two runs at once", async () => {
    const w = await hooks.world("lock-two-agents-long", (p) => ({
      // Every second, three seconds long: each tick comes while a run is going (queue).
      [`${p}-long.yaml`]: jobYaml("* * * * * *", "sleep 3; echo long"),
    }));
    const job = `${w.prefix}-long`;
    const [a, b] = await Promise.all([
      hooks.agent(w, { data: "data-a" }),
      hooks.agent(w, { data: "data-b" }),
    ]);
    await until(
      "four runs",
      async () => ((await w.runsOf(job)).length >= 4 ? true : undefined),
      40_000,
    );
    a.signal("SIGTERM");
    b.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
    const ledger = await w.finish({ "two agents, a job longer than its interval": 1 });
    expect(ledger.maxLive).toBe(1);
    // Back to back, never side by side: each run starts after the one before it ended.
    const runs = (await w.runsOf(job)).sort((x, y) =>
      (x.startedAt ?? "").localeCompare(y.startedAt ?? ""),
    );
    for (let i = 1; i < runs.length; i++) {
      expect(Date.parse(runs[i]?.startedAt ?? "")).toBeGreaterThanOrEqual(
        Date.parse(runs[i - 1]?.finishedAt ?? "") - 1_000,
      );
    }
  });
});
