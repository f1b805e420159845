// The data folder read-only (EROFS: a remounted file system, a read-only volume) while the
// agent runs (docs/agent.md, "What can go wrong"): a run whose record cannot be written keeps
// its container, the agent says so at error and retries the write, and stays healthy; writable
// again, the same agent records every kept run once and removes its container.

import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LABEL } from "../../src/runtime/names.js";
import { docker, faultHooks, jobYaml, until } from "./helpers/world.js";

const run = promisify(execFile);
const hooks = faultHooks();
const PINO_ERROR = 50;

describe("the data folder read-only", () => {
  it("records that cannot be written keep their containers; writable again, the same agent records each run once and removes them", async () => {
    const w = await hooks.world("read-only", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("*/2 * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    const data = w.dir("data");
    await mkdir(data);
    await run("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", data]);
    const exited = async () =>
      (
        await docker.listContainers({
          all: true,
          filters: { label: [`${LABEL.job}=${job}`], status: ["exited"] },
        })
      ).map((c) => c.Labels?.[LABEL.run] as string);
    try {
      const agent = await hooks.agent(w);
      await until("a record", async () => ((await w.runsOf(job)).length > 0 ? true : undefined));
      await run("mount", ["-o", "remount,ro", data]);
      const refused = await agent.waitForLog(
        (l) =>
          l.msg === "cannot write the run's record; its container is kept and the write retried" &&
          l.level === PINO_ERROR,
      );
      expect(String(refused.err)).toMatch(/EROFS/);
      // The run waiting for its record is still the job's run: the next ticks wait behind it.
      const kept = await until("the run kept in the engine", async () => {
        const runs = await exited();
        return runs.length > 0 ? runs : undefined;
      });
      expect(await agent.get("/healthz")).toBe(200);

      await run("mount", ["-o", "remount,rw", data]);
      await agent.waitForLog((l) => l.msg === "the run's record is written now");
      await until(
        "every kept run recorded and its container removed",
        async () => {
          const recorded = new Set((await w.runsOf(job)).map((r) => r.run));
          const left = new Set(await exited());
          return kept.every((r) => recorded.has(r) && !left.has(r)) ? true : undefined;
        },
        30_000,
      );
      agent.signal("SIGTERM");
      expect((await agent.exited).code).toBe(0);
      await w.finish({ "data folder read-only": 1 }, { keptContainers: kept.length });
    } finally {
      await run("umount", ["-l", data]).catch(() => undefined);
    }
  });
});
