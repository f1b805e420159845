// `gitcron trigger` run as a user runs it: the built binary against a real run-now endpoint
// backed by a real Scheduler.

import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { accessFor } from "../../src/server/auth.js";
import { healthRoutes } from "../../src/server/health.js";
import { startHttpServer } from "../../src/server/http.js";
import { runNowRoutes } from "../../src/server/run-now.js";
import { gitcron } from "../helpers/cli.js";
import { schedulerWith } from "../helpers/scheduler.js";
import { httpServers } from "../server/serve.js";

const TOKEN = "trigger-test-token-0123456789";
const { serve } = httpServers();

const trigger = (args: string[], env: Record<string, string> = {}) =>
  gitcron(["trigger", ...args], { env });

async function agent() {
  const setup = schedulerWith([
    { name: "report", overlap: "queue" },
    { name: "sweep", overlap: "skip" },
  ]);
  const url = await serve(
    runNowRoutes({
      access: accessFor({ token: TOKEN, listenHost: "127.0.0.1", logger: silentLogger() }),
      trigger: (name) => setup.scheduler.trigger(name, "manual"),
      logger: silentLogger(),
    }),
  );
  return { ...setup, url, env: { GITCRON_URL: url, GITCRON_API_TOKEN: TOKEN } };
}

describe("gitcron trigger", () => {
  it("prints the run id and exits 0 when the agent accepts the run", async () => {
    const { env, runtime } = await agent();
    const ran = await trigger(["report"], env);
    expect(ran).toEqual({ code: 0, stdout: "report-20261126T100000Z-1\n", stderr: "" });
    expect(runtime.started.map((r) => [r.runId, r.trigger])).toEqual([
      ["report-20261126T100000Z-1", "manual"],
    ]);
  });

  it("says on stderr when the run is queued behind a running one", async () => {
    const { env, clock } = await agent();
    await trigger(["report"], env);
    await clock.advance(1_000);
    const ran = await trigger(["report"], env);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe("report-20261126T100001Z-1\n");
    expect(ran.stderr).toBe("gitcron trigger: queued: it starts when the running run ends.\n");
  });

  it.each(["--api-token", "--token"])(
    "--url and %s (the agent's own flag name, or the short one) win over the variables",
    async (flag) => {
      const { url, runtime } = await agent();
      const ran = await trigger(["report", "--url", url, flag, TOKEN], {
        GITCRON_URL: "http://127.0.0.1:1",
        GITCRON_API_TOKEN: "wrong",
      });
      expect(ran.code).toBe(0);
      expect(runtime.started).toHaveLength(1);
    },
  );

  it("exits 1 with the reason for an unknown job", async () => {
    const { env } = await agent();
    const ran = await trigger(["nope"], env);
    expect(ran).toEqual({ code: 1, stdout: "", stderr: 'gitcron trigger: no job named "nope".\n' });
  });

  it("exits 1 with the reason while an overlap: skip job is running", async () => {
    const { env, runtime } = await agent();
    expect((await trigger(["sweep"], env)).code).toBe(0);
    const ran = await trigger(["sweep"], env);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toBe('gitcron trigger: job "sweep" has overlap: skip and a run is going.\n');
    expect(runtime.started).toHaveLength(1);
  });

  it("exits 2 when the token is refused, without printing it", async () => {
    const { url, runtime } = await agent();
    const ran = await trigger(["report"], {
      GITCRON_URL: url,
      GITCRON_API_TOKEN: "not-the-right-token",
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^gitcron trigger: the agent refused the token \(401\)/);
    expect(ran.stderr).not.toContain("not-the-right-token");
    expect(ran.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(runtime.started).toHaveLength(0);
  });

  it("exits 2 and names the token's flag when the agent needs one and none is given", async () => {
    const { url, runtime } = await agent();
    const ran = await trigger(["report"], { GITCRON_URL: url });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      "gitcron trigger: the agent needs its API token (401): give --api-token or GITCRON_API_TOKEN\n",
    );
    expect(runtime.started).toHaveLength(0);
  });

  it("exits 2 with one sentence when nothing listens at the URL", async () => {
    const closed = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      routes: [],
      logger: silentLogger(),
    });
    await closed.close();
    const url = `http://127.0.0.1:${closed.address.port}`;
    const ran = await trigger(["report"], { GITCRON_URL: url, GITCRON_API_TOKEN: TOKEN });
    expect(ran).toEqual({
      code: 2,
      stdout: "",
      stderr: `gitcron trigger: cannot reach the agent at ${url}: ECONNREFUSED\n`,
    });
  });

  it("exits 2 and names --api-token when the agent has no run-now endpoint", async () => {
    const url = await serve(
      healthRoutes({ lastLoopAt: () => new Date(), ready: () => true, now: () => new Date() }),
    );
    const ran = await trigger(["report"], { GITCRON_URL: url, GITCRON_API_TOKEN: TOKEN });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      `gitcron trigger: the agent at ${url} has no run-now endpoint: start it with --api-token, or with --listen on loopback\n`,
    );
  });

  it.each([
    [[], {}, "give a JOB name"],
    [["Not_A_Job"], { GITCRON_API_TOKEN: TOKEN }, '"Not_A_Job" is not a job name (a DNS label)'],
    [["report", "--url", "ftp://agent"], { GITCRON_API_TOKEN: TOKEN }, "--url must be http"],
  ])("usage errors exit 2: %j", async (args, env, message) => {
    const ran = await trigger(args, env);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(message);
  });

  it("--help explains the flags and exit codes", async () => {
    const ran = await trigger(["--help"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^Usage: gitcron trigger JOB/);
    expect(ran.stdout).toContain("GITCRON_API_TOKEN");
    expect(ran.stdout).toContain("Exit codes: 0");
  });
});
