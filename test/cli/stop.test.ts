// `gitcron stop` as a user meets it: the built binary against a real agent, a bare repository
// and the real Docker engine. A run that ignores SIGTERM is killed after the grace period and
// recorded as `stopped` — not retried, not a failure — and a run queued behind it starts.

import { describe, expect, it } from "vitest";
import { gitcron } from "../helpers/cli.js";
import { uniqueName } from "../helpers/docker.js";
import { manualJob, servedAgents } from "../helpers/served-agent.js";

const agents = servedAgents("gitcron-stop-");

describe("gitcron stop", () => {
  it("stops a run that ignores SIGTERM with SIGKILL, records it as stopped, and retries nothing", async () => {
    const job = uniqueName("stopkill");
    agents.cleanupAfter(job);
    const { agent, url } = await agents.start({
      // Ignoring TERM in the shell makes its sleep ignore it too: only SIGKILL ends it.
      [`${job}.yaml`]: manualJob(
        "trap '' TERM; echo ready; sleep 300",
        "retries:\n  limit: 2\noverlap: queue\n",
      ),
    });
    const env = { GITCRON_URL: url };
    const ready = agent.scheduler.events.next(
      "run:line",
      (e) => e.job === job && e.line.text === "ready",
    );
    const first = await gitcron(["trigger", job], { env });
    expect(first.code).toBe(0);
    await ready;
    // A second run waits behind the first (overlap: queue) and starts once it is stopped.
    expect((await gitcron(["trigger", job], { env })).code).toBe(0);
    const recorded = agent.scheduler.events.next("run:recorded", (e) => e.summary.job === job);
    const retried: string[] = [];
    agent.scheduler.events.on("retry:waiting", (e) => retried.push(e.job));

    const stopped = await gitcron(["stop", job], { env });
    expect(stopped).toEqual({ code: 0, stdout: first.stdout, stderr: "" });
    const { summary } = await recorded;
    expect(summary).toMatchObject({
      run: first.stdout.trim(),
      outcome: "stopped",
      exitCode: 137,
      reason:
        "stopped by request (over the HTTP API) with SIGTERM, then SIGKILL after the 1s grace period",
    });
    const next = await agent.scheduler.events.next("run:line", (e) => e.job === job);
    expect(next.runId).not.toBe(summary.run);
    expect(retried).toEqual([]);
    expect(agent.notifier.health(job)).not.toBe("failing");

    // The queued run is the one going now; stopping it too leaves nothing to stop.
    const again = agent.scheduler.events.next("run:recorded", (e) => e.summary.job === job);
    expect((await gitcron(["stop", job], { env })).stdout).toBe(`${next.runId}\n`);
    expect((await again).summary.outcome).toBe("stopped");
    const idle = await gitcron(["stop", job], { env });
    expect(idle).toEqual({
      code: 1,
      stdout: "",
      stderr: `gitcron stop: no run of job "${job}" is going.\n`,
    });
    expect((await gitcron(["stop", "no-such-job"], { env })).code).toBe(1);
    // The status branch's shape check takes the new outcome: the run reads back from it.
    await expect
      .poll(async () => (await agent.status.runsOf(job)).map((r) => r.outcome), {
        timeout: 15_000,
      })
      .toEqual(["stopped", "stopped"]);
  });

  it("needs the token on an agent that has one", async () => {
    const job = uniqueName("stoptok");
    const { url } = await agents.start(
      { [`${job}.yaml`]: manualJob("true") },
      { "api-token": "stop-test-token-0123456789abcdef" },
    );
    const ran = await gitcron(["stop", job], { env: { GITCRON_URL: url } });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      "gitcron stop: the agent needs its API token (401): give --api-token or GITCRON_API_TOKEN\n",
    );
    const withToken = await gitcron(["stop", job], {
      env: { GITCRON_URL: url, GITCRON_API_TOKEN: "stop-test-token-0123456789abcdef" },
    });
    expect(withToken.code).toBe(1);
  });
});
