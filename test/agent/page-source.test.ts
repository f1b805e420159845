// The status page's data after a restart: the scheduler starts without each job's last run (it
// reads them back from the branch in the background), and the status store answers nothing
// until it has read or pushed the branch; the page must show the runs the branch holds all the
// same. A real agent, a real repository and the real engine.

import { afterEach, describe, expect, it } from "vitest";
import { agentPageSource } from "../../src/agent/page-source.js";
import { startTestAgent } from "../helpers/agent.js";
import { cleanupDocker, engine, eventually, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { createBareRepo, tempDirs } from "../helpers/git.js";

const docker = engine();
const dirs = tempDirs("gitcron-page-source-");
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await dirs.cleanup();
});

describe("the status page's data on a restarted agent", () => {
  it("shows the last run from the status branch, read again once the store has read it", async () => {
    const prefix = uniqueName("pagesrc");
    stops.push(() => cleanupDocker(docker, prefix));
    const name = `${prefix}-job`;
    const parent = await dirs.make();
    const remote = await createBareRepo(parent, {
      files: {
        [`${name}.yaml`]: `schedule: "0 0 1 1 *"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", "echo bye; exit 4"]\n`,
      },
    });
    const flags = { interval: "1h", "status-flush": "1s" };
    const first = await startTestAgent({ repo: remote.url, dir: parent, flags });
    await first.agent.ready;
    const recorded = first.agent.scheduler.events.next("run:recorded");
    expect(first.agent.scheduler.trigger(name, "manual").status).toBe("accepted");
    await recorded;
    await first.agent.stop();

    // The same data folder: the job is applied at once from it, before any sync or push.
    const second = await startTestAgent({ repo: remote.url, dir: parent, flags });
    stops.push(() => second.agent.stop());
    const source = agentPageSource({ agent: second.agent, canRun: false });
    const early = await source.page(new Date());
    expect(early.jobs.map((j) => j.name)).toEqual([name]);

    const row = await eventually(async () => {
      const [job] = (await source.page(new Date())).jobs;
      return job?.last && job.runs.length > 0 ? job : undefined;
    }, 15_000);
    expect(row.last).toMatchObject({ outcome: "failed", exitCode: 4 });
    expect(row.failing).toBe(true);
    expect(row.runs.map((r) => r.outcome)).toEqual(["failed"]);
    const job = await eventually(async () => {
      const page = await source.job(name, new Date());
      return page?.history.length ? page : undefined;
    }, 15_000);
    expect(job.history[0]?.logTail).toBe("bye");
  });
});
