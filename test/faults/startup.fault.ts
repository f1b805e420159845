// Start-up: a setting that cannot work ends the agent with exit 2 and one sentence before
// anything is scheduled (SPEC §3, "Start-up"), and what goes wrong with a run is logged where
// log-based alerting looks (SPEC §3, "Logs").

import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { gitcron } from "../helpers/cli.js";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as { port: number }).port, server };
}

const PINO_WARN = 40;

describe("start-up refuses settings that cannot work, before anything runs", () => {
  it("--listen on a port that is taken: exit 2, one sentence, no container created", async () => {
    const w = await hooks.world("startup-port", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const { port, server } = await occupiedPort();
    try {
      const started = Date.now();
      const ran = await gitcron(
        ["agent", "--repo", w.remote.url, "--data-dir", w.dir("data"), "--interval", "1s"],
        { env: { GITCRON_LISTEN: `127.0.0.1:${port}` } },
      );
      expect(ran.code).toBe(2);
      expect(ran.stderr.trim()).toBe(
        `gitcron agent: --listen 127.0.0.1:${port}: the port is already in use; stop what listens there or choose another port`,
      );
      expect(ran.stdout).toBe("");
      // It ended at once, not after scheduling anything.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      server.close();
    }
    const ledger = await w.finish({ "listen port taken": 1 });
    expect(ledger.containersSeen).toBe(0);
  });

  it("a --repo folder that does not exist, or a --path missing in it: exit 2, one sentence", async () => {
    const w = await hooks.world("startup-folder", () => ({ "README.md": "x\n" }));
    const missing = w.dir("no-such-folder");
    const ran = await gitcron(["agent", "--repo", missing, "--data-dir", w.dir("data")]);
    expect(ran.code).toBe(2);
    expect(ran.stderr.trim()).toBe(
      `gitcron agent: --repo ${missing} does not exist: give a Git URL, a local repository or a folder of job files`,
    );
    const noPath = await gitcron([
      "agent",
      "--repo",
      w.parent,
      "--path",
      "jobs-typo",
      "--data-dir",
      w.dir("data"),
    ]);
    expect(noPath.code).toBe(2);
    expect(noPath.stderr.trim()).toBe(
      `gitcron agent: --path jobs-typo is not a folder inside ${w.parent}`,
    );
    await w.finish({ "missing --repo folder": 1, "missing --path": 1 });
  });
});

describe("an internal error", () => {
  it("stops the agent as SIGTERM would, recording the run going, and exits 70", async () => {
    const w = await hooks.world("crash-only", (p) => ({
      [`${p}-work.yaml`]: jobYaml("*/3 * * * * *", "sleep 2; echo worked"),
    }));
    const job = `${w.prefix}-work`;
    // An exception thrown on a timer, as a bug would throw it, from outside gitcron's code:
    // node's --import of a module that throws once the test creates a file, while a run goes.
    const trigger = w.dir("crash-now");
    const thrower = `import { existsSync } from "node:fs";
      const t = setInterval(() => { if (existsSync(${JSON.stringify(trigger)})) { clearInterval(t); throw new Error("injected fault"); } }, 20);
      t.unref();`;
    const crashing = await hooks.agent(w, {
      nodeArgs: ["--import", `data:text/javascript,${encodeURIComponent(thrower)}`],
    });
    await until("a run going", async () =>
      crashing.logs.some((l) => l.msg === "run started" && l.job === job) ? true : undefined,
    );
    await writeFile(trigger, "");
    const exit = await crashing.exited;
    expect(exit.code).toBe(70);
    const crashLine = crashing.logs.find((l) => l.msg.startsWith("internal error:"));
    expect(crashLine).toMatchObject({ level: 50, err: "injected fault" });
    // The orderly steps of SIGTERM: nothing new, the run going waited for, the outbox pushed.
    expect(crashing.logs.at(-1)?.msg).toBe("agent stopped");
    expect(crashing.logs.some((l) => l.msg === "run finished" && l.job === job)).toBe(true);
    await w.finish({ "internal error": 1 });
  });
});

describe("logs", () => {
  it("a failing run's end is logged at warn, with its output lines at info", async () => {
    const w = await hooks.world("logs-levels", (p) => ({
      [`${p}-fails.yaml`]: jobYaml("*/2 * * * * *", "echo about to fail; exit 3"),
      [`${p}-works.yaml`]: jobYaml("*/2 * * * * *", "echo fine"),
    }));
    const agent = await hooks.agent(w);
    const fails = `${w.prefix}-fails`;
    const works = `${w.prefix}-works`;
    await until("a record of each", async () => {
      const records = await w.records();
      return [fails, works].every((j) => records.some((r) => r.job === j)) ? true : undefined;
    });
    const finished = (job: string) =>
      agent.logs.filter((l) => l.msg === "run finished" && l.job === job).map((l) => l.level);
    const recorded = (job: string) =>
      agent.logs.filter((l) => l.msg === `${job}: ${l.outcome}`).map((l) => l.level);
    expect(new Set(finished(fails))).toEqual(new Set([PINO_WARN]));
    expect(new Set(recorded(fails))).toEqual(new Set([PINO_WARN]));
    expect(new Set(finished(works))).toEqual(new Set([30]));
    expect(new Set(recorded(works))).toEqual(new Set([30]));
    expect(
      agent.logs.some((l) => l.msg === "about to fail" && l.job === fails && l.level === 30),
    ).toBe(true);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "failing job": 1 });
  });
});
