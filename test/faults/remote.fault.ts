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
import { createSource } from "../../src/source/source.js";
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
    const settings = resolveSettings(
      {
        repo: url,
        "data-dir": w.dir("data"),
        interval: "1s",
        "status-flush": "1s",
        listen: "127.0.0.1:0",
      },
      {},
      w.parent,
    );
    const logger = silentLogger();
    const agent = await startAgent({
      settings,
      logger,
      runtime: createDockerRuntime({ logger }),
      env: {},
      source: createSource({
        repo: url,
        path: ".",
        dataDir: settings.dataDir,
        logger,
        timeoutMs: 1_000,
      }),
    });
    try {
      await agent.ready;
      await until("a first record", async () =>
        (await w.runsOf(job)).length > 0 ? true : undefined,
      );
      await proxy.set("blackhole");
      const hungAt = Date.now();
      const errorsBefore = agent.sync.errorCount;
      await until(
        "a sync cut off",
        () => (agent.sync.errorCount > errorsBefore ? true : undefined),
        10_000,
      );
      const cutAfterMs = Date.now() - hungAt;
      expect(agent.sync.lastError?.message).toMatch(/timed out|no answer|silent|timeout/i);
      const runsWhileHung = agent.scheduler.view()[0]?.last;
      expect(runsWhileHung?.outcome).toBe("succeeded");
      await proxy.set("pass");
      await agent.sync.syncNow();
      await agent.sync.syncNow();
      expect(agent.isReady()).toBe(true);
      await agent.stop();
      await w.finish({ "remote hanging": 1 }, { syncCutOffAfterMs: cutAfterMs });
    } finally {
      await agent.stop();
      await proxy.close();
      daemon.kill("SIGTERM");
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}
