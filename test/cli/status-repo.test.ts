// --status-repo (SPEC §10): the status branch in a repository of its own, so that cloning the
// jobs repository does not download a year of runs. A real agent, real runs, real pushes.

import { afterAll, describe, expect, it } from "vitest";
import { startTestAgent } from "../helpers/agent.js";
import { gitcron } from "../helpers/cli.js";
import { cleanupDocker, engine, eventually, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { branchTip, createBareRepo, tempDirs } from "../helpers/git.js";
import { journalRuns } from "../helpers/ledger.js";

const dirs = tempDirs("gitcron-status-repo-");
const prefix = uniqueName("sr");

afterAll(async () => {
  await cleanupDocker(engine(), prefix);
  await dirs.cleanup();
});

describe("--status-repo", () => {
  it("the agent pushes its runs there, the jobs repository gets no status branch, and status, logs and plan read them there", async () => {
    const parent = await dirs.make();
    const job = `${prefix}-tick`;
    const jobs = await createBareRepo(parent, {
      files: {
        [`${job}.yaml`]: `schedule: "*/2 * * * * *"\nimage: ${TEST_IMAGE}\ncommand: ["echo", "tick"]\n`,
      },
    });
    const ledger = await createBareRepo(parent, { name: "ledger.git" });
    const { agent } = await startTestAgent({
      repo: jobs.url,
      dir: parent,
      flags: { interval: "1s", "status-flush": "1s", "status-repo": ledger.url },
    });
    try {
      await eventually(
        async () => (await journalRuns(ledger.dir, "gitcron-status", job)).length > 0 || undefined,
        20_000,
      );
    } finally {
      await agent.stop();
    }
    expect(await branchTip(jobs.dir, "gitcron-status")).toBeNull();

    const status = await gitcron(["status", "--repo", jobs.url, "--status-repo", ledger.url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(`^${job} +\\*/2 \\* \\* \\* \\* \\* +UTC +succeeded +0 `, "m"),
    );
    const logs = await gitcron(["logs", job, "-n", "1"], {
      env: { GITCRON_REPO: jobs.url, GITCRON_STATUS_REPO: ledger.url },
    });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\ntick\n$/);
    // plan compares the jobs repository with the active set recorded in the status repository.
    const plan = await gitcron(["plan", "--repo", jobs.url, "--status-repo", ledger.url]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(new RegExp(`^= same +${job} `, "m"));
    const without = await gitcron(["plan", "--repo", jobs.url]);
    expect(without.stdout).toContain("every job is new");
  });

  it("a --status-repo folder that is not a Git repository stops the agent before it starts: one sentence, exit 2", async () => {
    const parent = await dirs.make();
    const ran = await gitcron([
      "agent",
      "--repo",
      parent,
      "--status-repo",
      `${parent}/nowhere`,
      "--data-dir",
      `${parent}/data`,
      "--listen",
      "127.0.0.1:0",
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toBe(
      `gitcron agent: --status-repo ${parent}/nowhere is not a Git repository: give a Git URL or a local repository (git init --bare)\n`,
    );
  });
});
