// The status branch's history squashed by hand (SPEC §10; the agent squashes it daily itself,
// test/status/branch.test.ts) while the agent keeps publishing; the agent builds on the new tip and
// no run is lost or recorded twice. A real agent, real runs, real pushes racing.

import { afterAll, describe, expect, it } from "vitest";
import { startTestAgent } from "../helpers/agent.js";
import { cleanupDocker, engine, eventually, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { branchTip, cloneRepo, createBareRepo, git, tempDirs } from "../helpers/git.js";
import { journalRuns } from "../helpers/ledger.js";

const dirs = tempDirs("gitcron-squash-");
const prefix = uniqueName("sq");
const BRANCH = "gitcron-status";

afterAll(async () => {
  await cleanupDocker(engine(), prefix);
  await dirs.cleanup();
});

describe("a squashed status branch", () => {
  it("the agent goes on from the squashed tip: no run lost, none twice, history bounded", async () => {
    const parent = await dirs.make();
    const job = `${prefix}-tick`;
    const remote = await createBareRepo(parent, {
      files: {
        [`${job}.yaml`]: `schedule: "* * * * * *"\nimage: ${TEST_IMAGE}\ncommand: ["echo", "tick"]\n`,
      },
    });
    const runIds = async () => (await journalRuns(remote.dir, BRANCH, job)).map((r) => r.run);
    const commits = async () =>
      (await branchTip(remote.dir, BRANCH))
        ? Number(await git(remote.dir, "rev-list", "--count", BRANCH))
        : 0;
    const { agent } = await startTestAgent({
      repo: remote.url,
      dir: parent,
      flags: { interval: "1s", "status-flush": "500ms" },
    });
    try {
      await eventually(
        async () => ((await commits()) >= 3 && (await runIds()).length >= 3) || undefined,
        30_000,
      );
      // As docs/status-branch.md does it, while the agent pushes every half second: a push that
      // raced the agent is refused by the lease and tried again.
      const clone = await cloneRepo(remote.url, `${parent}/squash`);
      let squashed = "";
      let before: string[] = [];
      for (let attempt = 1; !squashed; attempt++) {
        await git(clone, "fetch", "-q", "origin", BRANCH);
        const tip = (await git(clone, "rev-parse", "FETCH_HEAD")).trim();
        before = (await journalRuns(remote.dir, tip, job)).map((r) => r.run);
        const commit = (
          await git(clone, "commit-tree", "-m", "history squashed", `${tip}^{tree}`)
        ).trim();
        try {
          await git(
            clone,
            "push",
            "-q",
            `--force-with-lease=${BRANCH}:${tip}`,
            "origin",
            `${commit}:refs/heads/${BRANCH}`,
          );
          squashed = commit;
        } catch (err) {
          if (attempt >= 20) throw err;
        }
      }
      expect(before.length).toBeGreaterThanOrEqual(3);
      await eventually(
        async () => ((await runIds()).length >= before.length + 3 ? true : undefined),
        30_000,
      );
      const after = await runIds();
      expect(after.slice(0, before.length)).toEqual(before);
      expect(new Set(after).size).toBe(after.length);
      await git(remote.dir, "merge-base", "--is-ancestor", squashed, BRANCH);
      expect(await git(remote.dir, "rev-list", "--max-parents=0", BRANCH)).toBe(`${squashed}\n`);
      expect(await commits()).toBeLessThan(after.length);
    } finally {
      await agent.stop();
    }
  });
});
