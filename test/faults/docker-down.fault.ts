// Docker down: the agent reaches the engine through a proxy the test cuts. Runs that cannot
// start are recorded as `error` with one sentence; the agent stays up; when the proxy passes
// again, runs succeed without a restart.

import { describe, expect, it } from "vitest";
import { startCutProxy } from "./helpers/proxy.js";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();

describe("the engine cut off", () => {
  it("records runs that cannot start as error, stays healthy, and recovers on its own", async () => {
    const w = await hooks.world("docker-down", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo ok"),
    }));
    const job = `${w.prefix}-tick`;
    const proxy = await startCutProxy({
      target: { path: "/var/run/docker.sock" },
      listenPath: w.dir("docker.sock"),
    });
    try {
      const agent = await hooks.agent(w, { env: { DOCKER_HOST: proxy.address } });
      const finished = () => agent.logs.filter((l) => l.msg === "run finished").length;
      await until("a first run", () => (finished() > 0 ? true : undefined));
      // Cut right after a run ended, so no run is half-way through when the engine goes.
      const before = finished();
      await until("another run finished", () => (finished() > before ? true : undefined));
      await proxy.set("refuse");
      const cutAt = Date.now();

      const errors = await until("runs recorded as error", async () => {
        const e = (await w.runsOf(job)).filter((r) => r.outcome === "error");
        return e.length >= 2 ? e : undefined;
      });
      for (const e of errors) {
        expect(e.reason).toMatch(
          /^cannot reach the Docker engine at unix:\/\/.*; is dockerd running\?$/,
        );
        expect(e.reason?.split(/[.?!] /)).toHaveLength(1);
        expect(e.exitCode).toBeNull();
      }
      const healthWhileDown = await Promise.all([agent.get("/healthz"), agent.get("/readyz")]);
      expect(healthWhileDown).toEqual([200, 200]);

      await proxy.set("pass");
      const backAt = Date.now();
      const recovered = await until("a run succeeding again", async () =>
        (await w.runsOf(job)).find(
          (r) => r.outcome === "succeeded" && Date.parse(r.scheduledAt) > backAt,
        ),
      );
      expect(recovered.logTail).toBe("ok");
      expect(agent.logs.some((l) => l.msg === "agent started" && Number(l.time) > cutAt)).toBe(
        false,
      );
      agent.signal("SIGTERM");
      expect((await agent.exited).code).toBe(0);
      await w.finish(
        { "engine cut off": 1 },
        { errorRecordsWhileDown: errors.length, downMs: backAt - cutAt },
      );
    } finally {
      await proxy.close();
    }
  });
});
