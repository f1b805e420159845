// One active agent per repository on a Swarm (SPEC §3): of two agents with --runtime swarm, one
// leads and creates the runs' services, the other creates none; killed with SIGKILL, the leader
// is replaced within --lease, and the new leader adopts what runs and starts the next ticks.
// The ledger (the engine's containers of the services' tasks against the status branch) checks
// every run once, none twice, never two containers of the job at once.

import { beforeAll, describe, expect, it } from "vitest";
import { cleanupServices, ensureSwarm } from "../helpers/swarm.js";
import type { AgentProcess } from "./helpers/agent-process.js";
import { docker, faultHooks, jobYaml, leaderOf, until } from "./helpers/world.js";

const hooks = faultHooks();
const LEASE = "6s";
// The test environment keeps a one-node Swarm (scripts/test-env.sh). Other test files on the
// same engine use it at the same time: this one joins it if missing and never leaves it.
beforeAll(async () => {
  await ensureSwarm(docker);
});

describe("two agents of one repository on one Swarm", () => {
  it("only the leader creates services; killed, a standby leads within --lease and runs the next ticks", async () => {
    const w = await hooks.world("lease-swarm", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("*/4 * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    try {
      const flags = { lease: LEASE, runtime: "swarm" };
      const [a, b] = await Promise.all([
        hooks.agent(w, { data: "data-a", flags }),
        hooks.agent(w, { data: "data-b", flags }),
      ]);
      const [leader, standby] = await leaderOf(a, b);
      await until(
        "two runs",
        async () => ((await w.runsOf(job)).length >= 2 ? true : undefined),
        40_000,
      );
      const startedBy = (x: AgentProcess) => x.logs.some((l) => l.msg === "run started");
      expect(startedBy(leader)).toBe(true);
      expect(startedBy(standby)).toBe(false);

      leader.signal("SIGKILL");
      const killedAt = Date.now();
      const took = await standby.waitForLog((l) => l.msg === "this agent leads now", 30_000);
      expect(Number(took.time) - killedAt).toBeLessThan(6_000 + 10_000);
      // Ticks that pass while it takes over (it reads the status branch before it starts runs)
      // are recorded as missed: the run waited for is one it started.
      await until(
        "runs the new leader started",
        async () =>
          (await w.runsOf(job)).some(
            (r) => Date.parse(r.scheduledAt) > Number(took.time) && r.outcome !== "missed",
          )
            ? true
            : undefined,
        40_000,
      );
      expect(startedBy(standby)).toBe(true);
      standby.signal("SIGTERM");
      expect((await standby.exited).code).toBe(0);
      await w.finish({ "Swarm leader killed (SIGKILL) with a standby": 1 });
    } finally {
      await cleanupServices(docker, w.prefix);
    }
  });
});
