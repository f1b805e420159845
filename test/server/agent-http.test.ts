// The HTTP side on a running agent: a real bare repository, a real Docker engine. A signed
// webhook makes the agent see a push at once (its interval is an hour), a manual run starts a
// real container, and /metrics counts it.

import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { agentRoutes } from "../../src/agent/routes.js";
import { silentLogger } from "../../src/log.js";
import { startTestAgent } from "../helpers/agent.js";
import { cleanupDocker, engine, eventually, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { cloneRepo, commitFiles, createBareRepo, git, tempDirs } from "../helpers/git.js";
import { parsePrometheusText } from "./prometheus-text.js";
import { httpServers } from "./serve.js";

const SECRET = "agent-webhook-secret-0123456789";
const TOKEN = "agent-api-token-0123456789abcdef";
const docker = engine();
const dirs = tempDirs("gitcron-http-");
const { serve } = httpServers();
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await dirs.cleanup();
});

const jobFile = (script: string) =>
  // 1 January only: every run in this test is a manual one.
  `schedule: "0 0 1 1 *"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n`;

describe("the HTTP side of a running agent", () => {
  it("a signed push is applied at once, a manual run starts a real container, /metrics counts it", async () => {
    const prefix = uniqueName("http");
    stops.push(() => cleanupDocker(docker, prefix));
    const first = `${prefix}-first`;
    const second = `${prefix}-second`;
    const parent = await dirs.make();
    const remote = await createBareRepo(parent, {
      files: { [`${first}.yaml`]: jobFile("echo hello from $HOSTNAME") },
    });
    const work = await cloneRepo(remote.url, `${parent}/work`);
    const { agent, settings } = await startTestAgent({
      repo: remote.url,
      dir: parent,
      flags: { interval: "1h", "webhook-secret": SECRET, "api-token": TOKEN },
    });
    stops.push(() => agent.stop());
    await agent.ready;
    const url = await serve(agentRoutes({ agent, settings, logger: silentLogger() }));
    const auth = { authorization: `Bearer ${TOKEN}` };
    const jobNames = async () =>
      ((await (await fetch(`${url}/jobs`, { headers: auth })).json()) as { name: string }[]).map(
        (j) => j.name,
      );
    expect(await jobNames()).toEqual([first]);
    // With a token set, reading jobs needs it.
    expect((await fetch(`${url}/jobs`)).status).toBe(401);

    // A manual run: a real container, recorded with trigger "manual".
    const recorded = agent.scheduler.events.next("run:recorded", (e) => e.summary.job === first);
    const accepted = await fetch(`${url}/jobs/${first}/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(accepted.status).toBe(202);
    const { run } = (await accepted.json()) as { run: string };
    const { summary } = await recorded;
    expect(summary).toMatchObject({ run, outcome: "succeeded", exitCode: 0, trigger: "manual" });
    expect(summary.logTail).toContain("hello from");

    // A push, then its webhook: the agent applies it long before its one-hour interval.
    await commitFiles(work, { [`${second}.yaml`]: jobFile("true") }, "add a second job");
    await git(work, "push", "-q", "origin", "HEAD:main");
    const body = JSON.stringify({ ref: "refs/heads/main", repository: { default_branch: "main" } });
    const hook = await fetch(`${url}/hooks/git`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
    });
    expect(hook.status).toBe(202);
    await eventually(async () => ((await jobNames()).includes(second) ? true : undefined), 10_000);
    expect(await jobNames()).toEqual([first, second]);

    const metrics = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    expect(metrics.value("gitcron_runs_total", { job: first, outcome: "succeeded" })).toBe(1);
    expect(metrics.value("gitcron_run_duration_seconds_count", { job: first })).toBe(1);
    expect(metrics.value("gitcron_last_exit_code", { job: first })).toBe(0);
    expect(metrics.value("gitcron_sync_errors_total")).toBe(0);
    expect(metrics.value("gitcron_running_runs")).toBe(0);
  });
});
