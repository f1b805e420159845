// A status branch written by the release before the journal (ac7af71: jobs/<name>/runs.jsonl and
// last.json, made by that release's own writer — scripts/legacy-status-fixture.sh) is read as
// it is, and carried into the journal by the first publish of this release: every record moves,
// nothing is lost or written twice, and later publishes build on it.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { StatusBranchWriter } from "../../src/status/branch.js";
import { startTestAgent } from "../helpers/agent.js";
import { gitcron } from "../helpers/cli.js";
import { eventually, TEST_IMAGE } from "../helpers/docker.js";
import { cloneRepo, commitFiles, git, listFilesAt, tempDirs } from "../helpers/git.js";
import { journalRuns, viewAt } from "../helpers/ledger.js";
import { summary } from "./fixtures.js";

const BUNDLE = fileURLToPath(new URL("../fixtures/status-ac7af71.bundle", import.meta.url));
const BRANCH = "gitcron-status";
const dirs = tempDirs("gitcron-migration-");
let remote: { dir: string; url: string };
let parent: string;

beforeEach(async () => {
  parent = await dirs.make();
  const dir = join(parent, "remote.git");
  await git(parent, "clone", "-q", "--bare", BUNDLE, dir);
  await git(dir, "config", "uploadpack.allowFilter", "true");
  remote = { dir, url: `file://${dir}` };
  return () => dirs.cleanup();
});

/** Every run id the earlier layout holds. */
async function legacyRunIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const job of ["nightly", "etl", "db-backup"])
    ids.push(...(await legacyRuns(job)).map((r) => r.run));
  return ids;
}

/** Each job's runs as the earlier layout holds them, in file order. */
async function legacyRuns(job: string) {
  const text = await git(remote.dir, "show", `${BRANCH}:jobs/${job}/runs.jsonl`);
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { run: string; outcome: string; logTail: string });
}

describe("a status branch in the earlier layout", () => {
  it("keeps every run when an agent of this release starts on it", async () => {
    const before = await legacyRunIds();
    const work = await cloneRepo(remote.url, join(parent, "work"));
    await git(work, "checkout", "-q", "--orphan", "main");
    await commitFiles(
      work,
      { "nightly.yaml": `schedule: "0 3 1 1 *"\nimage: ${TEST_IMAGE}\ncommand: ["true"]\n` },
      "jobs",
    );
    await git(work, "push", "-q", "origin", "HEAD:refs/heads/main");
    const { agent } = await startTestAgent({
      repo: remote.url,
      dir: parent,
      flags: { interval: "1s", "status-flush": "1s" },
    });
    try {
      const moved = await eventually(async () => {
        const ids = (await journalRuns(remote.dir, BRANCH)).map((r) => r.run);
        return ids.length > 0 ? ids : undefined;
      }, 20_000);
      expect([...moved].sort()).toEqual([...before].sort());
      const files = await listFilesAt(remote.dir, BRANCH);
      expect(files.filter((f) => f.endsWith("runs.jsonl") || f.endsWith("last.json"))).toEqual([]);
    } finally {
      await agent.stop();
    }
  });

  it("is read as it is by gitcron status and logs", async () => {
    const status = await gitcron(["status", "--repo", remote.url, "--format", "json"]);
    expect(status.code).toBe(0);
    const jobs = (JSON.parse(status.stdout) as { jobs: { name: string; lastOutcome: string }[] })
      .jobs;
    expect(jobs.map((j) => [j.name, j.lastOutcome])).toEqual([
      ["db-backup", "succeeded"],
      ["etl", "skipped"],
      ["nightly", "succeeded"],
    ]);
    const logs = await gitcron([
      "logs",
      "nightly",
      "-n",
      "3",
      "--repo",
      remote.url,
      "--format",
      "json",
    ]);
    expect((JSON.parse(logs.stdout) as { run: string }[]).map((r) => r.run)).toEqual(
      (await legacyRuns("nightly")).slice(-3).map((r) => r.run),
    );
  });

  it("moves every record into the journal at the first publish, and removes the old files", async () => {
    const before = new Map<string, string[]>();
    for (const job of ["nightly", "etl", "db-backup"])
      before.set(
        job,
        (await legacyRuns(job)).map((r) => r.run),
      );
    const writer = new StatusBranchWriter({
      env: process.env,
      dir: join(parent, "agent"),
      repoUrl: remote.url,
      branch: BRANCH,
      agent: "0123456789ab",
      history: 100,
      logger: silentLogger(),
      now: () => new Date("2026-11-21T00:00:00Z"),
    });
    const fresh = summary("nightly", 2000);
    await writer.publish({ summaries: [fresh], state: null });

    const files = await listFilesAt(remote.dir, BRANCH);
    expect(files.filter((f) => f.startsWith("jobs/"))).toEqual([
      "jobs/db-backup.json",
      "jobs/etl.json",
      "jobs/nightly.json",
    ]);
    for (const [job, runs] of before) {
      const moved = (await journalRuns(remote.dir, BRANCH, job)).map((r) => r.run);
      expect(moved.filter((r) => r !== fresh.run)).toEqual(runs);
    }
    // Their journal files are named after the hours they happened in.
    expect(files.filter((f) => f.startsWith("runs/2026-11-20/"))).not.toEqual([]);
    const etl = await viewAt(remote.dir, BRANCH, "etl");
    expect(etl?.last.outcome).toBe("skipped");
    expect(etl?.lastStarted?.outcome).toBe("failed");
    expect((await viewAt(remote.dir, BRANCH, "nightly"))?.last.run).toBe(fresh.run);
    // The tails came along.
    const logs = await gitcron([
      "logs",
      "etl",
      "-n",
      "2",
      "--repo",
      remote.url,
      "--format",
      "json",
    ]);
    expect((JSON.parse(logs.stdout) as { logTail: string }[])[0]?.logTail).toBe("etl broke\n");

    // A second publish moves nothing again.
    await writer.publish({ summaries: [summary("nightly", 2001)], state: null });
    const again = await journalRuns(remote.dir, BRANCH, "nightly");
    expect(again.map((r) => r.run)).toEqual([
      ...(before.get("nightly") ?? []),
      fresh.run,
      summary("nightly", 2001).run,
    ]);
  });
});
