// The engine as the lock on a tick: a second creator for the same tick — here a container made
// by hand under the run's name — gets a name conflict, and the agent adopts the container that
// exists instead of starting another. (Two agents of one repository: lease.fault.ts.)

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
});
