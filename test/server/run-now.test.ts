// POST /jobs/:name/run over real HTTP against a real Scheduler (fake clock, held runs).

import { describe, expect, it } from "vitest";
import { accessFor } from "../../src/server/auth.js";
import { runNowRoutes } from "../../src/server/run-now.js";
import { settle } from "../helpers/fake-clock.js";
import { schedulerWith } from "../helpers/scheduler.js";
import { captureLogger } from "../runtime/capture-log.js";
import { httpServers } from "./serve.js";

const TOKEN = "api-token-0123456789abcdef";
const { serve } = httpServers();

async function runNowServer(jobs: Parameters<typeof schedulerWith>[0]) {
  const setup = schedulerWith(jobs);
  const log = captureLogger();
  const url = await serve(
    runNowRoutes({
      access: accessFor({ token: TOKEN, listenHost: "127.0.0.1", logger: log.logger }),
      trigger: (name) => setup.scheduler.trigger(name, "manual"),
      logger: log.logger,
    }),
  );
  const run = (job: string, authorization: string | null = `Bearer ${TOKEN}`) =>
    fetch(`${url}/jobs/${job}/run`, {
      method: "POST",
      headers: authorization === null ? {} : { authorization },
    });
  return { ...setup, run, log };
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe("a manual run honours the job's overlap", () => {
  it("queue: 202 twice; the second waits and starts when the first ends", async () => {
    const { clock, runtime, recorded, run } = await runNowServer([
      { name: "report", overlap: "queue" },
    ]);
    const first = await run("report");
    expect(first.status).toBe(202);
    expect(await json(first)).toEqual({
      job: "report",
      run: "report-20261126T100000Z-1",
      action: "started",
    });
    expect(runtime.running("report").map((h) => h.request.runId)).toEqual([
      "report-20261126T100000Z-1",
    ]);
    expect(runtime.started[0]?.trigger).toBe("manual");

    await clock.advance(1_000);
    const second = await run("report");
    expect(second.status).toBe(202);
    expect(await json(second)).toMatchObject({
      run: "report-20261126T100001Z-1",
      action: "queued",
    });
    expect(runtime.running("report")).toHaveLength(1);

    await runtime.running("report")[0]?.finish(0);
    await settle();
    expect(runtime.running("report").map((h) => h.request.runId)).toEqual([
      "report-20261126T100001Z-1",
    ]);
    expect(runtime.maxConcurrentPerJob).toBe(1);
    expect(recorded.map((s) => [s.run, s.outcome, s.trigger])).toEqual([
      ["report-20261126T100000Z-1", "succeeded", "manual"],
    ]);
  });

  it("skip: 202, then 409 while the run is going, then 202 again once it has ended", async () => {
    const { clock, runtime, run } = await runNowServer([{ name: "sweep", overlap: "skip" }]);
    expect((await run("sweep")).status).toBe(202);
    const busy = await run("sweep");
    expect(busy.status).toBe(409);
    expect((await json(busy)).error).toBe('job "sweep" has overlap: skip and a run is going');
    expect(runtime.started).toHaveLength(1);

    await runtime.running("sweep")[0]?.finish(0);
    await settle();
    await clock.advance(1_000);
    expect((await run("sweep")).status).toBe(202);
    expect(runtime.started).toHaveLength(2);
  });

  it("replace: 202 twice; the first run is stopped and the second starts after it", async () => {
    const { clock, runtime, recorded, run } = await runNowServer([
      { name: "refresh", overlap: "replace" },
    ]);
    expect((await run("refresh")).status).toBe(202);
    const first = runtime.running("refresh")[0];
    await clock.advance(1_000);
    const second = await run("refresh");
    expect(second.status).toBe(202);
    expect(await json(second)).toMatchObject({
      run: "refresh-20261126T100001Z-1",
      action: "replacing",
    });
    await settle();
    expect(first?.stopped).toBe(true);
    expect(runtime.running("refresh").map((h) => h.request.runId)).toEqual([
      "refresh-20261126T100001Z-1",
    ]);
    expect(recorded.map((s) => [s.run, s.exitCode])).toEqual([["refresh-20261126T100000Z-1", 143]]);
    expect(runtime.maxConcurrentPerJob).toBe(1);
  });
});

describe("refusals", () => {
  it("an unknown job is 404 and starts nothing", async () => {
    const { runtime, run } = await runNowServer([{ name: "known" }]);
    const res = await run("unknown");
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: 'no job named "unknown"', job: "unknown" });
    expect(runtime.started).toHaveLength(0);
  });

  it.each([
    ["no Authorization header", null],
    ["a wrong token", "Bearer not-the-token"],
    ["the token with more after it", `Bearer ${TOKEN}x`],
    ["Basic instead of Bearer", `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`],
    ["Bearer with no token", "Bearer "],
  ])("%s is 401 with a Bearer challenge and starts nothing", async (_case, authorization) => {
    const { runtime, run } = await runNowServer([{ name: "known" }]);
    const res = await run("known", authorization);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(runtime.started).toHaveLength(0);
  });

  it("without the token an unknown job is 401 too: job names cannot be probed", async () => {
    const { run } = await runNowServer([{ name: "known" }]);
    expect((await run("unknown", "Bearer wrong")).status).toBe(401);
    expect((await run("unknown", null)).status).toBe(401);
  });

  it("the scheme is case-insensitive, as RFC 7235 says", async () => {
    const { run } = await runNowServer([{ name: "known" }]);
    expect((await run("known", `bearer ${TOKEN}`)).status).toBe(202);
  });

  it("a manual run is logged with its run id; the token never is", async () => {
    const { run, log } = await runNowServer([{ name: "known" }]);
    await run("known");
    await run("known", "Bearer wrong-token-attempt");
    expect(log.records().map((r) => [r.msg, r.job ?? null, r.run ?? null])).toEqual([
      ["manual run requested", "known", "known-20261126T100000Z-1"],
      ["request refused: wrong API token", null, null],
    ]);
    expect(log.text()).not.toContain(TOKEN);
    expect(log.text()).not.toContain("wrong-token-attempt");
  });
});
