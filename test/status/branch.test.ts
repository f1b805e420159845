import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Logger, silentLogger } from "../../src/log.js";
import { StatusBranchWriter, StatusPushError } from "../../src/status/branch.js";
import {
  branchTip,
  cloneRepo,
  commitFiles,
  commitMessages,
  createBareRepo,
  deleteBranch,
  git,
  listFilesAt,
  readFileAt,
  takeOffline,
  tempDirs,
} from "../helpers/git.js";
import { captureLogger } from "../runtime/capture-log.js";
import { parseRuns, state, summary } from "./fixtures.js";

const BRANCH = "gitcron-status";
const temp = tempDirs("gitcron-branch-");
afterEach(() => temp.cleanup());

async function setup(
  options: { history?: number; gcEvery?: number; gcSlackBytes?: number; logger?: Logger } = {},
) {
  const root = await temp.make();
  const remote = await createBareRepo(root, { files: { "nightly.yaml": "schedule: '@daily'\n" } });
  const writer = (name = "agent") =>
    new StatusBranchWriter({
      dir: join(root, name, "status"),
      repoUrl: remote.url,
      branch: BRANCH,
      history: options.history ?? 100,
      logger: options.logger ?? silentLogger(),
      timeoutMs: 10_000,
      ...(options.gcEvery && { gcEvery: options.gcEvery }),
      ...(options.gcSlackBytes && { gcSlackBytes: options.gcSlackBytes }),
    });
  const runsOf = async (job: string) =>
    parseRuns(await readFileAt(remote.dir, BRANCH, `jobs/${job}/runs.jsonl`));
  return { root, remote, writer, runsOf };
}

describe("the status branch", () => {
  it("is created as an orphan with README, state, last.json and runs.jsonl", async () => {
    const { remote, writer, runsOf } = await setup();
    const run = summary("nightly", 0);
    const result = await writer().publish({ summaries: [run], state: state(["nightly"]) });

    expect(result.pushed).toBe(true);
    expect(await branchTip(remote.dir, BRANCH)).toBe(result.commit);
    expect(await listFilesAt(remote.dir, BRANCH)).toEqual([
      "README.md",
      "jobs/nightly/last.json",
      "jobs/nightly/runs.jsonl",
      "state.json",
    ]);
    // An orphan: no commit of the jobs branch is in its history.
    expect(await git(remote.dir, "rev-list", "--count", BRANCH)).toBe("1\n");
    expect(await runsOf("nightly")).toEqual([run]);
    const last = JSON.parse((await readFileAt(remote.dir, BRANCH, "jobs/nightly/last.json")) ?? "");
    expect(last).toEqual(run);
    const savedState = JSON.parse((await readFileAt(remote.dir, BRANCH, "state.json")) ?? "");
    expect(savedState).toEqual(state(["nightly"]));
    expect(await readFileAt(remote.dir, BRANCH, "README.md")).toMatch(
      /^\| nightly \| .*✅ succeeded/m,
    );
    const [message] = await commitMessages(remote.dir, BRANCH);
    expect(message).toBe("nightly: succeeded (exit 0, 7.5s)");
    const author = await git(remote.dir, "log", "-1", "--format=%an <%ae>", BRANCH);
    expect(author.trim()).toBe("gitcron <gitcron@localhost>");
    // The jobs branch is untouched.
    expect(await listFilesAt(remote.dir, "main")).toEqual(["nightly.yaml"]);
  });

  it("keeps at most `history` runs per job, newest last, and last.json is the newest", async () => {
    const { remote, writer, runsOf } = await setup({ history: 3 });
    const w = writer();
    const runs = Array.from({ length: 5 }, (_, i) => summary("etl", i));
    const pick = (...n: number[]) => n.map((i) => summary("etl", i));
    await w.publish({ summaries: pick(3, 0, 1), state: null });
    await w.publish({ summaries: pick(4, 2), state: null });
    expect(await runsOf("etl")).toEqual(runs.slice(2));
    const last = JSON.parse((await readFileAt(remote.dir, BRANCH, "jobs/etl/last.json")) ?? "");
    expect(last.run).toBe(runs[4]?.run);
  });

  it("commits a batch as `<n> runs: …` with every run in the body", async () => {
    const { remote, writer } = await setup();
    await writer().publish({
      summaries: [
        summary("a", 0),
        summary("b", 0, { outcome: "failed", exitCode: 1 }),
        summary("a", 1),
      ],
      state: state(["a", "b"]),
    });
    const [message] = await commitMessages(remote.dir, BRANCH);
    expect(message?.split("\n")[0]).toBe("3 runs: a: succeeded ×2, b: failed");
    expect(message?.split("\n")).toHaveLength(5);
  });

  it("records a summary once even when it is published again (replay after a crash)", async () => {
    const { remote, writer, runsOf } = await setup();
    const batch = [summary("a", 0), summary("a", 1)];
    const first = await writer("one").publish({ summaries: batch, state: null });
    // A fresh clone (the data dir lost its status clone) publishing the same batch again.
    const again = await writer("two").publish({ summaries: batch, state: null });
    expect(again).toEqual({ pushed: false, appended: 0, commit: first.commit });
    expect(await runsOf("a")).toEqual(batch);
    expect(await git(remote.dir, "rev-list", "--count", BRANCH)).toBe("1\n");
    // A retry of the same tick and a skipped record of it are other records.
    const retry = summary("a", 1, { attempt: 2, trigger: "retry" });
    const skipped = summary("a", 1, { outcome: "skipped" });
    await writer("one").publish({ summaries: [retry, skipped, summary("a", 0)], state: null });
    expect((await runsOf("a")).map((r) => `${r.attempt}/${r.outcome}`)).toEqual([
      "1/succeeded",
      "1/succeeded",
      "2/succeeded",
      "1/skipped",
    ]);
  });

  it("two writers racing on the branch lose no record and record none twice", async () => {
    const { writer, runsOf } = await setup({ history: 1000 });
    const a = writer("agent-a");
    const b = writer("agent-b");
    const batches = (job: string) =>
      Array.from({ length: 6 }, (_, i) => [summary(job, 2 * i), summary(job, 2 * i + 1)]);
    const both = [
      ...batches("shared"),
      ...batches("shared").map((b) => b.map((s) => ({ ...s, run: `${s.run}-b` }))),
    ];
    // Interleaved: each writer publishes its batches one after another, both at once.
    const results = await Promise.all([
      (async () => {
        for (const batch of both.slice(0, 6)) await a.publish({ summaries: batch, state: null });
      })(),
      (async () => {
        for (const batch of both.slice(6)) await b.publish({ summaries: batch, state: null });
      })(),
    ]);
    expect(results).toHaveLength(2);
    const runs = (await runsOf("shared")).map((r) => r.run);
    const expected = both.flat().map((s) => s.run);
    expect(runs.sort()).toEqual(expected.sort());
    expect(new Set(runs).size).toBe(24);
  });

  it("keeps only the tip in the agent's own repository, however many commits it pushes", async () => {
    const gcEvery = 5;
    const { root, remote, writer, runsOf } = await setup({ gcEvery });
    const w = writer();
    const local = join(root, "agent", "status");
    const depths: number[] = [];
    for (let i = 0; i < 4 * gcEvery; i++) {
      await w.publish({ summaries: [summary("a", i)], state: null });
      depths.push(Number(await git(local, "rev-list", "--count", `refs/heads/${BRANCH}`)));
    }
    // The remote keeps every commit; the agent's repository forgets them at each tidy-up.
    expect(await git(remote.dir, "rev-list", "--count", BRANCH)).toBe(`${4 * gcEvery}\n`);
    expect(Math.max(...depths)).toBeLessThanOrEqual(gcEvery + 1);
    expect(depths.at(-1)).toBe(1);
    const objects = await git(local, "count-objects", "-v");
    expect(Number(/^count: (\d+)/m.exec(objects)?.[1])).toBe(0);
    // Only what the tip reaches is left: its commit, trees and blobs.
    const reachable = (await git(local, "rev-list", "--objects", "--all")).trim().split("\n");
    expect(Number(/^in-pack: (\d+)/m.exec(objects)?.[1])).toBe(reachable.length);
    expect(await runsOf("a")).toHaveLength(4 * gcEvery);
    // And publishing goes on from the shallow tip.
    await w.publish({ summaries: [summary("a", 99)], state: null });
    expect(await runsOf("a")).toHaveLength(4 * gcEvery + 1);
  });

  it("tidies up sooner when its packs have doubled since the last tidy-up, however few the pushes", async () => {
    const { root, writer } = await setup({ gcEvery: 1000, gcSlackBytes: 1 });
    const w = writer();
    const local = join(root, "agent", "status");
    const depths: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Commits of similar size: the packs double every few pushes.
      const batch = Array.from({ length: 20 }, (_, j) => summary(`job${j}`, i));
      await w.publish({ summaries: batch, state: null });
      depths.push(Number(await git(local, "rev-list", "--count", `refs/heads/${BRANCH}`)));
    }
    expect(Math.max(...depths)).toBeLessThanOrEqual(4);
    expect(depths).toContain(1);
  });

  it("rebuilds a branch that someone deleted on the remote, and says so", async () => {
    const log = captureLogger();
    const { remote, writer, runsOf } = await setup({ logger: log.logger });
    const w = writer();
    await w.publish({ summaries: [summary("a", 0)], state: state(["a"]) });
    await deleteBranch(remote.dir, BRANCH);
    const result = await w.publish({ summaries: [summary("a", 1)], state: null });
    expect(result.pushed).toBe(true);
    expect(
      log
        .records()
        .filter((r) => r.level === 40)
        .map((r) => r.msg),
    ).toEqual(["status branch deleted on the remote; rebuilding it"]);
    expect(await runsOf("a")).toEqual([summary("a", 0), summary("a", 1)]);
    expect(JSON.parse((await readFileAt(remote.dir, BRANCH, "state.json")) ?? "")).toEqual(
      state(["a"]),
    );
  });

  it("builds on a branch that someone rewrote, and restores the records the rewrite erased", async () => {
    const { root, remote, writer, runsOf } = await setup();
    const w = writer();
    await w.publish({ summaries: [summary("a", 0)], state: null });
    // Someone force-pushes an unrelated history with one hand-written run.
    const other = await cloneRepo(remote.url, join(root, "vandal"));
    await git(other, "checkout", "-q", "--orphan", "rewrite");
    await git(other, "rm", "-rfq", ".");
    const theirs = summary("a", 5);
    await commitFiles(other, { "jobs/a/runs.jsonl": `${JSON.stringify(theirs)}\n` }, "rewrite");
    await git(other, "push", "-q", "-f", "origin", `HEAD:refs/heads/${BRANCH}`);

    await w.publish({ summaries: [summary("a", 6)], state: null });
    expect((await runsOf("a")).map((r) => r.run)).toEqual([
      summary("a", 0).run,
      theirs.run,
      summary("a", 6).run,
    ]);
  });

  it("fails with a retryable error, free of credentials, while the remote is away", async () => {
    const { remote, writer } = await setup();
    const w = writer();
    const back = await takeOffline(remote);
    const error = await w
      .publish({ summaries: [summary("a", 0)], state: null })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatusPushError);
    expect((error as StatusPushError).retryable).toBe(true);
    await back();
    expect((await w.publish({ summaries: [summary("a", 0)], state: null })).pushed).toBe(true);
  });

  it("keeps user:password out of its errors", async () => {
    const { root } = await setup();
    const w = new StatusBranchWriter({
      dir: join(root, "creds", "status"),
      repoUrl: "http://bob:hunter2@127.0.0.1:9/nothing.git",
      branch: BRANCH,
      history: 10,
      logger: silentLogger(),
      timeoutMs: 5_000,
    });
    const error = await w.publish({ summaries: [], state: null }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StatusPushError);
    expect(String((error as Error).message)).not.toContain("hunter2");
  });

  it("cuts off a remote that accepts the connection and then says nothing", async () => {
    const { root } = await setup();
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const w = new StatusBranchWriter({
        dir: join(root, "hang", "status"),
        repoUrl: `http://127.0.0.1:${port}/r.git`,
        branch: BRANCH,
        history: 10,
        logger: silentLogger(),
        timeoutMs: 1_000,
      });
      const started = Date.now();
      const error = await w.publish({ summaries: [summary("a", 0)], state: null }).catch((e) => e);
      expect(error).toBeInstanceOf(StatusPushError);
      expect(sockets.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
