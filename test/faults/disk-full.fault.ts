// The data folder full: a run whose record cannot be written keeps its container; the agent
// says so at error and keeps retrying; killed with SIGKILL meanwhile, the next start (the disk
// freed) records every run the engine ran, once (SPEC §3, "Start-up").

import { execFile } from "node:child_process";
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LABEL } from "../../src/runtime/names.js";
import { docker, faultHooks, jobYaml, until } from "./helpers/world.js";

const run = promisify(execFile);
const hooks = faultHooks();
const PINO_ERROR = 50;

/** Writes zeros into `file` until the file system has no room left. */
async function fill(file: string): Promise<number> {
  const handle = await open(file, "w");
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) written += (await handle.write(chunk)).bytesWritten;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    await handle.close().catch(() => undefined);
  }
  return written;
}

describe("the data folder full", () => {
  it("records that cannot be written keep their containers, and a restart after SIGKILL records each run once", async () => {
    const w = await hooks.world("disk-full", (p) => ({
      [`${p}-a.yaml`]: jobYaml("* * * * * *", "sleep 1; echo a"),
      [`${p}-b.yaml`]: jobYaml("* * * * * *", "sleep 1; echo b"),
      [`${p}-c.yaml`]: jobYaml("* * * * * *", "sleep 1; echo c"),
    }));
    const data = w.dir("data");
    await mkdir(data);
    await run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", data]);
    try {
      const first = await hooks.agent(w);
      await until("records of each job", async () => {
        const jobs = new Set((await w.records()).map((r) => r.job));
        return jobs.size === 3 ? true : undefined;
      });
      const filler = join(data, "filler");
      await fill(filler);
      const fullAt = Date.now();
      await first.waitForLog(
        (l) =>
          l.msg === "cannot write the run's record; its container is kept and the write retried" &&
          l.level === PINO_ERROR,
        20_000,
      );
      // Runs ended while the disk was full: their containers are still in the engine.
      const kept = await until("containers kept for their records", async () => {
        const containers = await docker.listContainers({
          all: true,
          filters: { label: [LABEL.job], status: ["exited"] },
        });
        const ours = containers.filter((c) => (c.Labels?.[LABEL.job] ?? "").startsWith(w.prefix));
        return ours.length >= 2 ? ours : undefined;
      });
      expect(first.logs.some((l) => l.msg === "could not remove the container")).toBe(false);
      first.signal("SIGKILL");
      await first.exited;
      const keptRuns = kept.map((c) => c.Labels?.[LABEL.run]);

      await rm(filler);
      const second = await hooks.agent(w);
      await until(
        "every kept run recorded",
        async () => {
          const runs = new Set((await w.records()).map((r) => r.run));
          return keptRuns.every((r) => r && runs.has(r)) ? true : undefined;
        },
        30_000,
      );
      second.signal("SIGTERM");
      expect((await second.exited).code).toBe(0);
      await w.finish(
        { "data folder full": 1, "agent killed while a record waited": 1 },
        { keptContainers: keptRuns.length, fullForMs: Date.now() - fullAt },
      );
    } finally {
      await run("umount", ["-l", data]).catch(() => undefined);
    }
  });
});
