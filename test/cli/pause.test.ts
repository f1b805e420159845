// `gitcron pause` and `gitcron resume` as a user meets them: the built binary against a real
// agent, a bare repository and the real Docker engine. A paused job starts no scheduled run; the
// pause survives a restart, shows in `gitcron status` (from the status branch's state.json) and
// is noted in a notification; resume lets the schedule run again.

import { afterEach, describe, expect, it } from "vitest";
import type { Agent } from "../../src/agent/agent.js";
import { startHttpReceiver } from "../faults/helpers/receiver.js";
import { gitcron } from "../helpers/cli.js";
import { eventually, uniqueName } from "../helpers/docker.js";
import { manualJob, servedAgents } from "../helpers/served-agent.js";

const agents = servedAgents("gitcron-pause-");
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Resolves once `ticks` of the job's scheduled instants have passed with no run launched. */
async function ticksPassWithoutRun(agent: Agent, job: string, ticks: number) {
  const launched: string[] = [];
  const off = agent.scheduler.events.on("run:launch", (e) => {
    if (e.job === job) launched.push(e.runId);
  });
  const nextOf = () => agent.scheduler.view().find((v) => v.spec.name === job)?.nextRunAt;
  const from = nextOf()?.getTime() ?? 0;
  await eventually(async () =>
    (nextOf()?.getTime() ?? 0) >= from + ticks * 1000 ? true : undefined,
  );
  off();
  return launched;
}

describe("gitcron pause and resume", () => {
  it("a paused job starts no scheduled run, through a restart, until resumed; status and notifications say so", async () => {
    const job = uniqueName("pause");
    const failing = `${job}-boom`;
    agents.cleanupAfter(job);
    const http = await startHttpReceiver();
    closers.push(http.close);
    const files = {
      [`${job}.yaml`]: manualJob("echo tick").replace('"0 0 1 1 *"', '"* * * * * *"'),
      [`${failing}.yaml`]: manualJob("exit 4"),
    };
    const first = await agents.start(files, { notify: [http.url] });
    const env = { GITCRON_URL: first.url };
    await first.agent.scheduler.events.next("run:recorded", (e) => e.summary.job === job);

    const tooLong = await gitcron(["pause", job, "--for", "31d"], { env });
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain(
      "a pause lasts from 1s to 30d; for longer, set suspended: true",
    );
    const paused = await gitcron(["pause", job, "--for", "1h"], { env });
    expect(paused.stderr).toBe("");
    expect(paused.code).toBe(0);
    const until = paused.stdout.trim();
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(3_590_000);
    expect(await ticksPassWithoutRun(first.agent, job, 2)).toEqual([]);

    // gitcron status reads state.json from the status branch.
    await eventually(async () => {
      const status = await gitcron(["status", "--repo", first.remote.url]);
      return status.stdout.includes("(paused until ") ? true : undefined;
    }, 20_000);
    const json = JSON.parse(
      (await gitcron(["status", "--repo", first.remote.url, "--format", "json"])).stdout,
    );
    expect(json.jobs.find((j: { name: string }) => j.name === job).pausedUntil).toBe(until);

    // Every notification while it lasts notes it: here, another job's failure.
    expect((await gitcron(["trigger", failing], { env })).code).toBe(0);
    const told = await eventually(async () =>
      http.received.find((m) => m.json.job === failing && m.json.event === "failure"),
    );
    expect(told.json.text).toContain(`(paused: ${job} until `);
    expect(told.json.paused).toEqual([{ job, until }]);

    // A restart on the same data folder keeps the pause.
    await first.agent.stop();
    const second = await agents.start(files, {}, first);
    expect(
      second.agent.scheduler
        .view()
        .find((v) => v.spec.name === job)
        ?.pausedUntil?.toISOString(),
    ).toBe(until);
    expect(await ticksPassWithoutRun(second.agent, job, 2)).toEqual([]);

    const env2 = { GITCRON_URL: second.url };
    const resumed = second.agent.scheduler.events.next("run:launch", (e) => e.job === job);
    expect(await gitcron(["resume", job], { env: env2 })).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    await resumed;
    expect(await gitcron(["resume", job], { env: env2 })).toEqual({
      code: 1,
      stdout: "",
      stderr: `gitcron resume: job "${job}" is not paused.\n`,
    });
  });

  it("refuses a pause without a duration before asking the agent", async () => {
    const env = { GITCRON_URL: "http://127.0.0.1:1" };
    const none = await gitcron(["pause", "some-job"], { env });
    expect(none).toMatchObject({
      code: 2,
      stderr:
        "gitcron pause: give how long with --for, e.g. --for 2h; see `gitcron pause --help`.\n",
    });
    const bad = await gitcron(["pause", "some-job", "--for", "soon"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"soon" is not a duration');
  });
});
