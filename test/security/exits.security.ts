// The ways out of the agent: HTTP (who may read jobs and runs), the log, the status branch, and
// the files it reads back from its data folder. Every secret the agent holds is a canary here,
// searched for in every commit of the status branch, every line the agent printed and every
// HTTP answer.

import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../src/status/summary.js";
import { faultHooks, jobYaml, until } from "../faults/helpers/world.js";
import { canaries, httpAnswers, leaks, watchEvents } from "./helpers.js";

const hooks = faultHooks();

describe("attack 10: /jobs showed every spec, literal value and log tail to anyone", () => {
  it("beyond loopback, jobs and runs need the token; health, readiness and metrics stay open", async () => {
    const secrets = canaries();
    const literal = `literal-${secrets.values.secretEnv.slice(-6)}`;
    const w = await hooks.world("sec-http", (p) => ({
      [`${p}-report.yaml`]: jobYaml(
        "*/2 * * * * *",
        "echo report-output",
        `env:\n  MODE: ${literal}\n`,
      ),
    }));
    const open = await hooks.agent(w, { data: "open", flags: { listen: "0.0.0.0:0" } });
    await until("a run", async () =>
      (await w.runsOf(`${w.prefix}-report`)).length > 0 ? true : undefined,
    );
    const status = async (path: string, headers: Record<string, string> = {}) =>
      (await fetch(`http://127.0.0.1:${open.port}${path}`, { headers })).status;
    // No token, listening beyond loopback: nothing about jobs or runs is served.
    expect(await status("/jobs")).toBe(403);
    expect(await status("/healthz")).toBe(200);
    expect(await status("/readyz")).toBe(200);
    expect(await status("/metrics")).toBe(200);
    const anonymous = await httpAnswers(open.port, ["/jobs", "/jobs/x", "/"]);
    expect(anonymous).not.toContain(literal);
    expect(anonymous).not.toContain("report-output");
    open.signal("SIGTERM");
    await open.exited;

    const guarded = await hooks.agent(w, {
      data: "guarded",
      env: secrets.env,
      flags: { listen: "0.0.0.0:0" },
    });
    const token = secrets.values.apiToken;
    await until("the guarded agent ready", async () =>
      (await guarded.get("/readyz")) === 200 ? true : undefined,
    );
    const get = (headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${guarded.port}/jobs`, { headers });
    expect((await get()).status).toBe(401);
    expect((await get({ authorization: "Bearer not-the-token" })).status).toBe(401);
    // The data is there for whoever holds the token: this is what the 401 keeps.
    const withToken = await get({ authorization: `Bearer ${token}` });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain(literal);
    expect(
      await leaks(secrets.all, {
        remoteDir: w.remote.dir,
        agent: guarded,
        port: guarded.port,
        token,
      }),
    ).toEqual({});
    guarded.signal("SIGTERM");
    expect((await guarded.exited).code).toBe(0);
    await w.finish({ "anonymous reads of jobs": 2 });
  });
});

describe("secrets in output, errors and settings", () => {
  it("a job printing the agent's secrets, and errors naming them, reach no log, commit or answer", async () => {
    const secrets = canaries();
    // The job learnt the values somehow (they are in its repository, say) and prints them,
    // split over two writes, and fails with them in its last words.
    const printAll = secrets.all.map((s) => `printf '${s.slice(0, 9)}'; printf '${s.slice(9)}\\n'`);
    const w = await hooks.world("sec-output", (p) => ({
      // It also wrote one into its file, where /jobs and the status page show the spec, and
      // one into the folder's name, which every row of the page (and /events) shows.
      [`${secrets.values.secretEnv}/${p}-print.yaml`]: jobYaml(
        "*/2 * * * * *",
        `${printAll.join("; ")}; exit 3`,
        `labels:\n  note: "${secrets.values.gitToken}"\n`,
      ),
      // A file whose errors would quote a secret, were messages not cut and redacted.
      [`${p}-quote.yaml`]: jobYaml(`${secrets.values.apiToken}`, "true"),
    }));
    const agent = await hooks.agent(w, {
      env: secrets.env,
      flags: {
        "api-token": secrets.values.apiToken,
        "webhook-secret": secrets.values.webhookSecret,
      },
    });
    const events = await watchEvents(agent.port, secrets.values.apiToken, `${w.prefix}-print`);
    const printed = await until("a failed run recorded", async () =>
      (await w.runsOf(`${w.prefix}-print`)).find((r) => r.outcome === "failed"),
    );
    // /events sent the print job's row (its file under the folder, masked) to both streams.
    await until("rows of the print job on /events", () =>
      events.text().split(`data-job=\\"${w.prefix}-print\\"`).length > 2 ? true : undefined,
    );
    expect(events.text()).toContain(`***/${w.prefix}-print.yaml`);
    // The job did print them: its tail is four masked lines.
    expect(printed.logTail.split("\n")).toEqual(["***", "***", "***", "***"]);
    await until("the quoting file rejected", async () =>
      (await w.state())?.rejected.length ? true : undefined,
    );
    expect(
      await leaks(secrets.all, {
        remoteDir: w.remote.dir,
        agent,
        port: agent.port,
        token: secrets.values.apiToken,
        jobs: [`${w.prefix}-print`, `${w.prefix}-quote`],
        events,
      }),
    ).toEqual({});
    await events.stop();
    expect(agent.output()).toContain("***");
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "secrets printed by a job": 4 });
  });
});

describe("attack 8: one malformed outbox entry stopped all publishing", () => {
  it("a malformed entry is moved to corrupt/ and logged; every other record is published", async () => {
    const w = await hooks.world("sec-outbox", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("*/2 * * * * *", "echo tick"),
    }));
    const outbox = join(w.dir("data"), "outbox");
    mkdirSync(outbox, { recursive: true });
    const past: RunSummary = {
      job: `${w.prefix}-past`,
      run: `${w.prefix}-past-20261101T000000Z-1`,
      attempt: 1,
      outcome: "succeeded",
      exitCode: 0,
      reason: null,
      scheduledAt: "2026-11-01T00:00:00.000Z",
      startedAt: "2026-11-01T00:00:00.100Z",
      finishedAt: "2026-11-01T00:00:01.000Z",
      durationMs: 900,
      image: "x",
      imageDigest: null,
      revision: "r",
      trigger: "schedule",
      logTail: "from before a crash",
    };
    const { reason: _dropped, ...noReason } = {
      ...past,
      run: `${w.prefix}-bad-1`,
      job: `${w.prefix}-bad`,
    };
    writeFileSync(join(outbox, "20261101T000001.000Z_past_1_succeeded.json"), JSON.stringify(past));
    writeFileSync(
      join(outbox, "20261101T000000.000Z_bad_1_succeeded.json"),
      JSON.stringify(noReason),
    );

    const agent = await hooks.agent(w);
    await until("the good past record and new runs published", async () => {
      const records = await w.records();
      return records.some((r) => r.run === past.run) &&
        records.some((r) => r.job === `${w.prefix}-tick`)
        ? true
        : undefined;
    });
    expect((await w.records()).some((r) => r.job === `${w.prefix}-bad`)).toBe(false);
    expect(readdirSync(join(outbox, "corrupt"))).toEqual([
      expect.stringMatching(/^20261101T000000\.000Z_bad_1_succeeded\.json\./),
    ]);
    expect(agent.logs.some((l) => l.msg === "corrupt file set aside")).toBe(true);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "malformed outbox entry": 1 }, undefined, { planted: [past.run] });
  });
});
