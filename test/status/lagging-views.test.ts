// Every reader of the status branch on a branch whose views lag its journal (SPEC §10, "Views
// lag, readers don't"): the views were written at the first publish, then two more batches
// went into the journal only. Each reader must show the newest run, as an agent's writer left it
// in a real bare repository; none may take the views' word for it.

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readActiveJobs } from "../../src/action/status-branch.js";
import {
  branchAccessOf,
  lastRunsFromBranch,
  withBranchRecords,
} from "../../src/agent/branch-seed.js";
import { silentLogger } from "../../src/log.js";
import { resolveSettings } from "../../src/settings.js";
import { StatusBranchWriter } from "../../src/status/branch.js";
import { createStatusStore } from "../../src/status/store.js";
import { gitcron } from "../helpers/cli.js";
import { type BareRepo, cloneRepo, createBareRepo, tempDirs } from "../helpers/git.js";
import { viewAt } from "../helpers/ledger.js";
import { state, summary } from "./fixtures.js";

const BRANCH = "gitcron-status";
const dirs = tempDirs("gitcron-lagging-");
let remote: BareRepo;
let parent: string;
const failing = summary("a", 2, { outcome: "failed", exitCode: 7, logTail: "boom\n" });

beforeAll(async () => {
  parent = await dirs.make();
  remote = await createBareRepo(parent, { files: { "a.yaml": "schedule: '@daily'\n" } });
  let at = Date.parse("2026-11-26T04:00:00Z");
  const writer = new StatusBranchWriter({
    env: process.env,
    dir: join(parent, "writer"),
    repoUrl: remote.url,
    branch: BRANCH,
    agent: "0123456789ab",
    history: 100,
    viewsEveryMs: 3_600_000,
    logger: silentLogger(),
    now: () => new Date(at),
  });
  await writer.publish({ summaries: [summary("a", 0), summary("b", 0)], state: state(["a", "b"]) });
  for (const batch of [[summary("a", 1)], [failing, summary("b", 1)]]) {
    at += 10_000;
    await writer.publish({ summaries: batch, state: null });
  }
  // The premise: the views still say run 0.
  expect((await viewAt(remote.dir, BRANCH, "a"))?.last.run).toBe(summary("a", 0).run);
});

afterAll(() => dirs.cleanup());

describe("on a branch whose views lag the journal", () => {
  it("gitcron status shows each job's newest run", async () => {
    const ran = await gitcron(["status", "--repo", remote.url, "--format", "json"]);
    expect(ran.code).toBe(0);
    const jobs = (
      JSON.parse(ran.stdout) as { jobs: { name: string; lastOutcome: string; exitCode: number }[] }
    ).jobs;
    expect(jobs.map((j) => [j.name, j.lastOutcome, j.exitCode])).toEqual([
      ["a", "failed", 7],
      ["b", "succeeded", 0],
    ]);
  });

  it("gitcron logs lists every run, newest last, with its tail", async () => {
    const ran = await gitcron(["logs", "a", "--repo", remote.url, "-n", "5", "--format", "json"]);
    expect(ran.code).toBe(0);
    const runs = JSON.parse(ran.stdout) as { run: string; logTail: string }[];
    expect(runs.map((r) => r.run)).toEqual([0, 1, 2].map((n) => summary("a", n).run));
    expect(runs[2]?.logTail).toBe("boom\n");
  });

  it("the page after a restart (a new data folder) reads every run", async () => {
    const store = createStatusStore({
      git: { env: process.env },
      dataDir: join(parent, "restarted"),
      repoUrl: remote.url,
      branch: BRANCH,
      agent: "0123456789ab",
      history: 100,
      flushMs: 100,
      logger: silentLogger(),
    });
    // The writer reads the branch when it first publishes: an agent's start publishes its state.
    store.setState(state(["a", "b"], { lastSyncAt: "2026-11-26T04:01:00.000Z" }));
    await store.flush();
    expect((await store.runsOf("a")).map((r) => r.run)).toEqual(
      [0, 1, 2].map((n) => summary("a", n).run),
    );
    const both = await store.runsOfJobs(["a", "b"]);
    expect(both.get("b")?.map((r) => r.run)).toEqual([0, 1].map((n) => summary("b", n).run));
    await store.stop();
  });

  it("the notifier's seed and /jobs' last runs after a restart are the newest", async () => {
    const settings = resolveSettings({ repo: remote.url }, {}, parent);
    const access = branchAccessOf(settings, { env: process.env });
    const seeds = await withBranchRecords(remote.url, access, silentLogger(), (records) =>
      records.seeds(["a", "b"]),
    );
    expect(seeds.get("a")?.runs.map((r) => r.outcome)).toEqual([
      "succeeded",
      "succeeded",
      "failed",
    ]);
    const last = await lastRunsFromBranch(remote.url, access, ["a", "b"]);
    expect(last.map((r) => r.run).sort()).toEqual([failing.run, summary("b", 1).run]);
  });

  it("the Action's plan reads state.json, which is no view: the jobs the agent runs", async () => {
    const work = await cloneRepo(remote.url, join(parent, "checkout"));
    const active = await readActiveJobs({ env: process.env, workspace: work, branch: BRANCH });
    expect(active.ok && Object.keys(active.active).sort()).toEqual(["a", "b"]);
  });
});
