// The Git remote down or slow. Moved away: jobs keep running on the last good specs, finished
// runs wait in the outbox, sync errors are logged and counted; back: every record arrives and
// state.json shows the errors. Hanging (a git daemon behind a proxy that stops answering): the
// fetch is cut off by the source's timeout and the agent carries on.

import { execFile, spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startAgent } from "../../src/agent/agent.js";
import { silentLogger } from "../../src/log.js";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { resolveSettings } from "../../src/settings.js";
import { takeOffline } from "../helpers/git.js";
import { startCutProxy } from "./helpers/proxy.js";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const outboxEntries = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".json"));

describe("the Git remote down or slow", () => {
  it("moved away: jobs keep running, runs wait in the outbox, none is lost when it returns", async () => {
    const w = await hooks.world("remote-away", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    const agent = await hooks.agent(w);
    await until("a first record", async () =>
      (await w.runsOf(job)).length > 0 ? true : undefined,
    );

    const bringBack = await takeOffline(w.remote);
    const awayAt = Date.now();
    const finishedBefore = agent.logs.filter((l) => l.msg === "run finished").length;
    const waiting = await until("runs waiting in the outbox", async () => {
      const entries = await outboxEntries(w.dir("data/outbox"));
      return entries.length >= 3 ? entries : undefined;
    });
    await agent.waitForLog((l) => /^sync failed: /.test(l.msg) && Number(l.time) > awayAt);
    await agent.waitForLog((l) => l.msg === "status push failed; runs stay in the outbox");
    const ranWhileAway = agent.logs.filter((l) => l.msg === "run finished").length - finishedBefore;
    expect(ranWhileAway).toBeGreaterThanOrEqual(2);
    expect(await agent.get("/healthz")).toBe(200);
    await bringBack();

    // Every run that waited reaches the branch, and state.json counts the sync errors.
    const state = await until(
      "state.json with the sync errors",
      async () => {
        const s = await w.state();
        return s && s.syncErrors.count > 0 ? s : undefined;
      },
      30_000,
    );
    const records = await until(
      "the waiting runs on the branch",
      async () => {
        const runs = new Set(
          (await w.runsOf(job)).map((r) => `${r.run}_${r.attempt}_${r.outcome}`),
        );
        const missing = waiting.filter((f) => ![...runs].some((k) => f.includes(k)));
        return missing.length === 0 ? runs : undefined;
      },
      30_000,
    );
    expect(state.syncErrors.last?.message).toMatch(/remote\.git/);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    expect(await outboxEntries(w.dir("data/outbox"))).toEqual([]);
    await w.finish(
      { "remote moved away": 1 },
      {
        outboxPeak: waiting.length,
        ranWhileAway,
        syncErrors: state.syncErrors.count,
        records: records.size,
      },
    );
  });

  it("hanging: a fetch that gets no answer is cut off by the timeout; the agent carries on", async () => {
    const w = await hooks.world("remote-hang", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    const daemonPort = await freePort();
    const daemon = spawn(
      "git",
      [
        "daemon",
        "--reuseaddr",
        "--export-all",
        "--enable=receive-pack",
        "--listen=127.0.0.1",
        `--port=${daemonPort}`,
        `--base-path=${w.parent}`,
        w.parent,
      ],
      { stdio: "ignore" },
    );
    const proxy = await startCutProxy({ target: { host: "127.0.0.1", port: daemonPort } });
    const url = `git://${proxy.address}/remote.git`;
    await until(
      "the git daemon answering",
      async () =>
        await promisify(execFile)("git", ["ls-remote", url]).then(
          () => true,
          () => undefined,
        ),
    );
    // The cut-off comes from the agent's own --git-timeout, for the source and the status branch.
    const settings = resolveSettings(
      {
        repo: url,
        "data-dir": w.dir("data"),
        interval: "1s",
        "status-flush": "1s",
        "git-timeout": "1s",
        listen: "127.0.0.1:0",
      },
      {},
      w.parent,
    );
    const logger = silentLogger();
    const agent = await startAgent({
      settings,
      logger,
      runtime: createDockerRuntime({ env: process.env, logger }),
      env: {},
    });
    let recorded = 0;
    agent.scheduler.events.on("run:recorded", () => {
      recorded++;
    });
    try {
      await agent.ready;
      await until("a first record", async () =>
        (await w.runsOf(job)).length > 0 ? true : undefined,
      );
      await proxy.set("blackhole");
      const hungAt = Date.now();
      const errorsBefore = agent.sync.errorCount;
      // A fetch under way when the remote went dark may fail otherwise first (its connection
      // dropped); the next ones get no answer and are cut off by --git-timeout.
      await until(
        "a sync cut off",
        () =>
          agent.sync.errorCount > errorsBefore &&
          /timed out/.test(agent.sync.lastError?.message ?? "")
            ? true
            : undefined,
        10_000,
      );
      const cutAfterMs = Date.now() - hungAt;
      expect(agent.sync.lastError?.message).toMatch(/git fetch timed out: no answer for 1 s/);
      // While the remote hangs, runs go on and are recorded (to the outbox).
      const recordedAtHang = recorded;
      await until("runs recorded during the hang", () =>
        recorded >= recordedAtHang + 2 ? true : undefined,
      );
      await proxy.set("pass");
      // Recovery: a change pushed after the hang is applied, and its runs reach the branch.
      const fixed = await w.push({ [`${job}.yaml`]: jobYaml("* * * * * *", "echo tock") }, "tock");
      await until(
        "the change applied and its runs on the branch",
        async () =>
          agent.revision() === fixed && (await w.runsOf(job)).some((r) => r.logTail === "tock")
            ? true
            : undefined,
        30_000,
      );
      const errorsAfter = agent.sync.errorCount;
      await agent.sync.syncNow();
      expect(agent.sync.errorCount).toBe(errorsAfter);
      await agent.stop();
      await w.finish({ "remote hanging": 1 }, { syncCutOffAfterMs: cutAfterMs });
    } finally {
      await agent.stop();
      await proxy.close();
      daemon.kill("SIGTERM");
    }
  });

  it("restarted while the remote is down: the last good specs run from the first moment", async () => {
    const w = await hooks.world("remote-down-restart", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    const first = await hooks.agent(w);
    await until("a first record", async () =>
      (await w.runsOf(job)).length > 0 ? true : undefined,
    );
    first.signal("SIGTERM");
    expect((await first.exited).code).toBe(0);

    const bringBack = await takeOffline(w.remote);
    const second = await hooks.agent(w);
    // Never synced, so not ready — and running the job all the same.
    await second.waitForLog((l) => /^sync failed: /.test(l.msg));
    expect(await second.get("/readyz")).toBe(503);
    await second.waitForLog((l) => l.msg === "run finished" && l.job === job);
    const waiting = await until("runs waiting in the outbox", async () => {
      const entries = await outboxEntries(w.dir("data/outbox"));
      return entries.length >= 2 ? entries : undefined;
    });
    await bringBack();
    await until(
      "the waiting runs on the branch, and ready",
      async () => {
        const runs = (await w.runsOf(job)).map((r) => r.run);
        const arrived = waiting.every((f) => runs.some((r) => f.includes(r)));
        return arrived && (await second.get("/readyz")) === 200 ? true : undefined;
      },
      30_000,
    );
    second.signal("SIGTERM");
    expect((await second.exited).code).toBe(0);
    await w.finish({ "restart while the remote is down": 1 }, { waited: waiting.length });
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}
