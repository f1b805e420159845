import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import {
  StatusBranchWriter,
  type StatusBranchWriterOptions,
  StatusPushError,
} from "../../src/status/branch.js";
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
import { journalFiles, journalRuns, viewAt } from "../helpers/ledger.js";
import { captureLogger } from "../runtime/capture-log.js";
import { startGitHttpServer } from "../source/helpers.js";
import { state, summary } from "./fixtures.js";

const BRANCH = "gitcron-status";
const temp = tempDirs("gitcron-branch-");
afterEach(() => temp.cleanup());

async function setup(
  options: Partial<Omit<StatusBranchWriterOptions, "dir" | "repoUrl" | "branch">> = {},
) {
  const root = await temp.make();
  const remote = await createBareRepo(root, { files: { "nightly.yaml": "schedule: '@daily'\n" } });
  const clock = { at: Date.parse("2026-11-26T04:00:00Z") };
  const writer = (name = "agent") =>
    new StatusBranchWriter({
      env: process.env,
      dir: join(root, name, "status"),
      repoUrl: remote.url,
      branch: BRANCH,
      agent: "0123456789ab",
      history: 100,
      logger: silentLogger(),
      timeoutMs: 10_000,
      now: () => new Date(clock.at),
      ...options,
    });
  /** Every record of a job in the journal at the tip: what a reader of the branch finds. */
  const runsOf = (job: string) => journalRuns(remote.dir, BRANCH, job);
  return { root, remote, writer, runsOf, clock };
}

describe("the status branch", () => {
  it("is created as an orphan with the run in a journal file, its view, README, state and cursor", async () => {
    const { remote, writer, runsOf } = await setup();
    const run = summary("nightly", 0);
    const result = await writer().publish({ summaries: [run], state: state(["nightly"]) });

    expect(result.pushed).toBe(true);
    expect(await branchTip(remote.dir, BRANCH)).toBe(result.commit);
    expect(await listFilesAt(remote.dir, BRANCH)).toEqual([
      "README.md",
      "jobs/nightly.json",
      "runs/2026-11-26/04/0000-0123456789ab.jsonl",
      "state.json",
      "views.json",
    ]);
    // An orphan: no commit of the jobs branch is in its history.
    expect(await git(remote.dir, "rev-list", "--count", BRANCH)).toBe("1\n");
    expect(await runsOf("nightly")).toEqual([run]);
    const view = await viewAt(remote.dir, BRANCH, "nightly");
    expect(view?.last).toEqual({ ...run, logTail: "" });
    expect(view?.counts).toEqual({ succeeded: 1 });
    expect(view?.journal).toBe("2026-11-26/04/0000-0123456789ab");
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

  it("adds one journal file a publish and never changes or removes one", async () => {
    const { remote, writer, runsOf, clock } = await setup({ keepMs: null });
    const w = writer();
    for (let i = 0; i < 6; i++) {
      clock.at += 10_000;
      await w.publish({ summaries: [summary("a", i), summary("b", i)], state: null });
    }
    expect(await journalFiles(remote.dir, BRANCH)).toHaveLength(6);
    // Each commit only adds under runs/.
    const touched = await git(
      remote.dir,
      "log",
      "--format=",
      "--name-status",
      BRANCH,
      "--",
      "runs",
    );
    expect(touched.split("\n").filter((l) => l && !l.startsWith("A\t"))).toEqual([]);
    expect((await runsOf("a")).map((r) => r.run)).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => summary("a", i).run),
    );
  });

  it("brings the views up to the journal at most once per viewsEveryMs, and at a final publish", async () => {
    const { remote, writer, clock } = await setup({ viewsEveryMs: 60_000 });
    const w = writer();
    await w.publish({ summaries: [summary("a", 0)], state: null });
    clock.at += 10_000;
    await w.publish({ summaries: [summary("a", 1)], state: null });
    // The view lags: it still shows run 0; the journal holds run 1.
    expect((await viewAt(remote.dir, BRANCH, "a"))?.last.run).toBe(summary("a", 0).run);
    expect(w.viewsDueInMs()).toBe(50_000);
    clock.at += 50_000;
    await w.publish({ summaries: [summary("a", 2)], state: null });
    expect((await viewAt(remote.dir, BRANCH, "a"))?.last.run).toBe(summary("a", 2).run);
    clock.at += 10_000;
    await w.publish({ summaries: [summary("a", 3)], state: null, final: true });
    expect((await viewAt(remote.dir, BRANCH, "a"))?.counts).toEqual({ succeeded: 4 });
    expect(w.viewsDueInMs()).toBeNull();
  });

  it("names in a job's view the journal files of its last `history` records", async () => {
    const { remote, writer, clock } = await setup({ history: 3 });
    const w = writer();
    for (const batch of [
      [3, 0, 1],
      [4, 2],
    ]) {
      clock.at += 60_000;
      await w.publish({ summaries: batch.map((n) => summary("etl", n)), state: null });
    }
    const view = await viewAt(remote.dir, BRANCH, "etl");
    expect(view?.journal.split(" ")).toEqual([
      "2026-11-26/04/0100-0123456789ab",
      "2026-11-26/04/0200-0123456789ab",
      "2026-11-26/04/0200-0123456789ab",
    ]);
    expect(view?.last.run).toBe(summary("etl", 4).run);
    expect(view?.counts).toEqual({ succeeded: 5 });
    // The writer reads them back with their tails, newest last.
    expect((await w.runsOf("etl")).map((r) => r.logTail)).toEqual(
      [2, 3, 4].map((n) => `run ${n} of etl\n`),
    );
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
    const { remote, writer, runsOf, clock } = await setup();
    const batch = [summary("a", 0), summary("a", 1)];
    const first = await writer("one").publish({ summaries: batch, state: null });
    clock.at += 10_000;
    // The same process again, and a fresh one (the data dir lost its status clone).
    expect(await writer("one").publish({ summaries: batch, state: null })).toEqual({
      pushed: false,
      appended: 0,
      commit: first.commit,
    });
    expect(await writer("two").publish({ summaries: batch, state: null })).toEqual({
      pushed: false,
      appended: 0,
      commit: first.commit,
    });
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

  it("records once a run recorded again after the views moved past it (adopted after a SIGKILL)", async () => {
    const { writer, runsOf, clock } = await setup({ viewsEveryMs: 60_000 });
    const killed = writer("killed");
    const ran = summary("a", 0);
    await killed.publish({ summaries: [ran], state: null });
    // Later runs, and views written past the first one's journal file.
    for (let i = 1; i <= 3; i++) {
      clock.at += 61_000;
      await killed.publish({ summaries: [summary("a", i)], state: null });
    }
    // The next agent adopts the container the killed one never removed, and records it again.
    clock.at += 10_000;
    const next = await writer("restarted").publish({
      summaries: [{ ...ran, logTail: "adopted" }],
      state: null,
    });
    expect(next.appended).toBe(0);
    expect((await runsOf("a")).map((r) => r.run)).toEqual(
      [0, 1, 2, 3].map((i) => summary("a", i).run),
    );
  });

  it("records once a run two agents followed, when the second records it after its first views", async () => {
    const { writer, runsOf, clock } = await setup({ viewsEveryMs: 60_000 });
    const a = writer("a");
    await a.publish({ summaries: [summary("j", 0)], state: null });
    clock.at += 10_000;
    const followed = summary("j", 1);
    await a.publish({ summaries: [followed], state: null });
    // b takes over: its first push writes the views past a's file; then it records the run it
    // adopted from the engine, ending later as b saw it.
    const b = writer("b");
    clock.at += 10_000;
    await b.publish({ summaries: [summary("k", 0)], state: null });
    clock.at += 10_000;
    const again = {
      ...followed,
      finishedAt: new Date(clock.at).toISOString(),
      logTail: "seen by b",
    };
    expect((await b.publish({ summaries: [again], state: null })).appended).toBe(0);
    expect((await runsOf("j")).map((r) => r.logTail)).toEqual([
      summary("j", 0).logTail,
      followed.logTail,
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

  it("keeps only the tip's trees and its own new blobs in the agent's repository, however many commits it pushes", async () => {
    const gcEvery = 5;
    const { root, remote, writer, runsOf, clock } = await setup({ gcEvery });
    const w = writer();
    const local = join(root, "agent", "status");
    const depths: number[] = [];
    for (let i = 0; i < 4 * gcEvery; i++) {
      clock.at += 10_000;
      await w.publish({ summaries: [summary("a", i)], state: null });
      depths.push(Number(await git(local, "rev-list", "--count", `refs/heads/${BRANCH}`)));
    }
    // The remote keeps every commit; the agent's repository starts again at each tidy-up.
    expect(await git(remote.dir, "rev-list", "--count", BRANCH)).toBe(`${4 * gcEvery}\n`);
    expect(Math.max(...depths)).toBeLessThanOrEqual(gcEvery + 1);
    expect(depths.at(-1)).toBe(1);
    // Fetched anew without blobs: no journal file of the remote is here.
    const blobs = (await git(local, "cat-file", "--batch-all-objects", "--batch-check"))
      .split("\n")
      .filter((l) => l.includes(" blob "));
    expect(blobs).toEqual([]);
    expect(await runsOf("a")).toHaveLength(4 * gcEvery);
    // And publishing goes on from the fresh tip; the writer reads old runs by fetching them.
    await w.publish({ summaries: [summary("a", 99)], state: null });
    expect(await runsOf("a")).toHaveLength(4 * gcEvery + 1);
    expect((await w.runsOf("a")).at(0)?.logTail).toBe("run 0 of a\n");
  });

  it("rebuilds a branch that someone deleted on the remote, and says so", async () => {
    const log = captureLogger();
    const { remote, writer, runsOf, clock } = await setup({ logger: log.logger });
    const w = writer();
    await w.publish({ summaries: [summary("a", 0)], state: state(["a"]) });
    await deleteBranch(remote.dir, BRANCH);
    clock.at += 10_000;
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

  it("builds on a branch that someone rewrote, and restores the journal files the rewrite erased", async () => {
    const { root, remote, writer, runsOf, clock } = await setup();
    const w = writer();
    await w.publish({ summaries: [summary("a", 0)], state: null });
    // Someone force-pushes an unrelated history with one hand-written run.
    const other = await cloneRepo(remote.url, join(root, "vandal"));
    await git(other, "checkout", "-q", "--orphan", "rewrite");
    await git(other, "rm", "-rfq", ".");
    const theirs = summary("a", 5);
    await commitFiles(
      other,
      { "runs/2026-11-26/04/0005-vandal.jsonl": `${JSON.stringify(theirs)}\n` },
      "rewrite",
    );
    await git(other, "push", "-q", "-f", "origin", `HEAD:refs/heads/${BRANCH}`);

    clock.at += 10_000;
    await w.publish({ summaries: [summary("a", 6)], state: null });
    expect((await runsOf("a")).map((r) => r.run)).toEqual([
      summary("a", 0).run,
      theirs.run,
      summary("a", 6).run,
    ]);
  });

  it("keeps a succeeded run's tail to its bytes and every other run's whole", async () => {
    const { writer, runsOf } = await setup({ succeededTailBytes: 8 });
    const tail = "first line\nlast\n";
    await writer().publish({
      summaries: [
        summary("a", 0, { logTail: tail }),
        summary("a", 1, { logTail: tail, outcome: "failed", exitCode: 1 }),
      ],
      state: null,
    });
    expect((await runsOf("a")).map((r) => r.logTail)).toEqual(["last\n", tail]);
  });

  it("retires journal days past --status-keep and squashes the history once a day", async () => {
    const DAY = 86_400_000;
    const { remote, writer, runsOf, clock } = await setup({ keepMs: 2 * DAY });
    const w = writer();
    const days: string[] = [];
    for (let d = 0; d < 4; d++) {
      await w.publish({ summaries: [summary("a", d * 1440)], state: null });
      days.push(await git(remote.dir, "rev-list", "--count", BRANCH));
      clock.at += DAY;
    }
    // Each day past the first squashes the history into one root commit holding the tip.
    expect(days.map(Number)).toEqual([1, 1, 1, 1]);
    const files = await journalFiles(remote.dir, BRANCH);
    // A day leaves once all of it is older than two days: 11-26 at 11-29 04:00.
    expect(files.map((f) => f.split("/")[1])).toEqual(["2026-11-27", "2026-11-28", "2026-11-29"]);
    expect((await runsOf("a")).map((r) => r.run)).toEqual(
      [1, 2, 3].map((d) => summary("a", d * 1440).run),
    );
    // The view still counts every run.
    expect((await viewAt(remote.dir, BRANCH, "a"))?.counts).toEqual({ succeeded: 4 });
  });

  it("keeps everything and never rewrites with --status-keep forever", async () => {
    const { remote, writer, clock } = await setup({ keepMs: null });
    const w = writer();
    for (let d = 0; d < 3; d++) {
      await w.publish({ summaries: [summary("a", d)], state: null });
      clock.at += 86_400_000 * 100;
    }
    expect(await git(remote.dir, "rev-list", "--count", BRANCH)).toBe("3\n");
    expect(await journalFiles(remote.dir, BRANCH)).toHaveLength(3);
  });

  it("never squashes over a tip someone else pushed meanwhile (forced push with lease)", async () => {
    const DAY = 86_400_000;
    const { remote, writer, runsOf, clock } = await setup({ keepMs: 2 * DAY });
    const w = writer();
    await w.publish({ summaries: [summary("a", 0)], state: null });
    // Right after our next push, another writer adds its commit: our squash must not erase it.
    const hook = join(remote.dir, "hooks", "post-receive");
    await writeFile(
      hook,
      `#!/bin/sh
[ -e "$GIT_DIR/raced" ] && exit 0
touch "$GIT_DIR/raced"
blob=$(printf '%s\\n' '${JSON.stringify(summary("b", 1))}' | git hash-object -w --stdin)
tree=$(git ls-tree refs/heads/${BRANCH} | git mktree)
base=$(git rev-parse refs/heads/${BRANCH})
idx=$(mktemp); GIT_INDEX_FILE=$idx git read-tree $base
GIT_INDEX_FILE=$idx git update-index --add --cacheinfo 100644,$blob,runs/2026-11-27/04/0001-other.jsonl
tree=$(GIT_INDEX_FILE=$idx git write-tree); rm -f $idx
c=$(GIT_AUTHOR_NAME=o GIT_AUTHOR_EMAIL=o@o GIT_COMMITTER_NAME=o GIT_COMMITTER_EMAIL=o@o git commit-tree $tree -p $base -m other)
git update-ref refs/heads/${BRANCH} $c
`,
    );
    await chmod(hook, 0o755);
    clock.at += DAY + 60_000;
    await w.publish({ summaries: [summary("a", 1)], state: null });
    expect(await commitMessages(remote.dir, BRANCH)).toContain("other");
    expect((await runsOf("b")).map((r) => r.run)).toEqual([summary("b", 1).run]);
    // The next publish builds on it, and squashes then.
    clock.at += 60_000;
    await w.publish({ summaries: [summary("a", 2)], state: null });
    expect(await git(remote.dir, "rev-list", "--count", BRANCH)).toBe("1\n");
    expect((await runsOf("b")).map((r) => r.run)).toEqual([summary("b", 1).run]);
    expect(await runsOf("a")).toHaveLength(3);
  });

  it("loses no record to a publish that failed before its push (the disk full): the retry pushes it", async () => {
    const { root, writer, runsOf } = await setup();
    const w = writer();
    await w.publish({ summaries: [summary("nightly", 0)], state: null });
    // git cannot write the batch's objects: their folder is a file now.
    const pack = join(root, "agent", "status", "objects", "pack");
    await rename(pack, `${pack}.away`);
    await writeFile(pack, "");
    const batch = [summary("nightly", 1)];
    await expect(w.publish({ summaries: batch, state: null })).rejects.toThrow();
    await rm(pack);
    await rename(`${pack}.away`, pack);
    expect(await w.publish({ summaries: batch, state: null })).toMatchObject({
      pushed: true,
      appended: 1,
    });
    expect((await runsOf("nightly")).map((r) => r.run)).toEqual(
      [0, 1].map((n) => summary("nightly", n).run),
    );
  });

  it("moves another ref in the same push only over the commit it expects; refused, the batch lands without it", async () => {
    const { remote, writer, runsOf } = await setup();
    const w = writer();
    const lease = "refs/gitcron/lease/0123456789ab";
    const leaseAt = async () => (await git(remote.dir, "rev-parse", lease)).trim();
    const first = (
      await git(
        remote.dir,
        "commit-tree",
        "-m",
        "first",
        "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
      )
    ).trim();
    await git(remote.dir, "update-ref", lease, first);

    const moved = await w.publish({
      summaries: [summary("nightly", 0)],
      state: null,
      alongside: { ref: lease, expected: first, message: "renewal\n" },
    });
    expect(moved.alongside).toBe(await leaseAt());
    expect(await git(remote.dir, "log", "-1", "--format=%B%P", lease)).toBe("renewal\n\n");

    // Someone else's commit is there now: the stale renewal is refused, the run is not.
    await git(remote.dir, "update-ref", lease, first);
    const stale = await w.publish({
      summaries: [summary("nightly", 1)],
      state: null,
      alongside: { ref: lease, expected: moved.alongside as string, message: "stale\n" },
    });
    expect(stale.alongside).toBeUndefined();
    expect(await leaseAt()).toBe(first);

    // The branch moved under it (another writer): the push is refused whole, the lease too.
    await writer("other").publish({ summaries: [summary("other", 0)], state: null });
    const behind = await w.publish({
      summaries: [summary("nightly", 2)],
      state: null,
      alongside: { ref: lease, expected: first, message: "behind\n" },
    });
    expect(behind.alongside).toBeUndefined();
    expect(await leaseAt()).toBe(first);
    expect((await runsOf("nightly")).map((r) => r.run)).toEqual(
      [0, 1, 2].map((n) => summary("nightly", n).run),
    );
  });

  it("takes every Object.prototype name as a job name: the push goes through and the README shows them", async () => {
    const names = Object.getOwnPropertyNames(Object.prototype).filter((n) => /^[a-z_]/i.test(n));
    const { remote, writer, runsOf } = await setup();
    const result = await writer().publish({
      summaries: names.map((n) => summary(n, 0)),
      state: state(names),
    });
    expect(result.pushed).toBe(true);
    for (const name of names) {
      expect((await runsOf(name)).map((r) => r.job)).toEqual([name]);
      expect((await viewAt(remote.dir, BRANCH, name))?.last.job).toBe(name);
    }
    const readme = (await readFileAt(remote.dir, BRANCH, "README.md")) ?? "";
    expect(readme).toContain("| constructor |");
  });

  it("fails with a retryable error, free of credentials, while the remote is away", async () => {
    const { root, remote } = await setup();
    // The remote over HTTP, with credentials in its URL, as an operator may give it.
    await git(remote.dir, "config", "http.receivepack", "true");
    const server = await startGitHttpServer(root, "hunter2");
    try {
      const url = server.url("remote.git").replace("http://", "http://x-access-token:hunter2@");
      const logs = captureLogger();
      const w = new StatusBranchWriter({
        env: process.env,
        dir: join(root, "agent", "status"),
        repoUrl: url,
        branch: BRANCH,
        agent: "0123456789ab",
        history: 100,
        logger: logs.logger,
        timeoutMs: 10_000,
      });
      expect((await w.publish({ summaries: [summary("a", 0)], state: null })).pushed).toBe(true);
      // The server asked for the credentials and got them: they are there to leak.
      expect(server.authorizations).toContain(
        `Basic ${Buffer.from("x-access-token:hunter2").toString("base64")}`,
      );
      // Not to the writer's repository on disk: its origin is the URL without them.
      const config = await readFile(join(root, "agent", "status", "config"), "utf8");
      expect(config).toContain(`url = ${server.url("remote.git")}`);
      expect(config).not.toContain("hunter2");
      const back = await takeOffline(remote);
      const error = await w
        .publish({ summaries: [summary("b", 0)], state: null })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StatusPushError);
      expect((error as StatusPushError).retryable).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/127\.0\.0\.1/);
      expect(message).not.toContain("hunter2");
      expect(logs.text()).not.toContain("hunter2");
      await back();
      expect((await w.publish({ summaries: [summary("b", 0)], state: null })).pushed).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("keeps user:password out of its errors", async () => {
    const { root } = await setup();
    const w = new StatusBranchWriter({
      env: process.env,
      dir: join(root, "creds", "status"),
      repoUrl: "http://bob:hunter2@127.0.0.1:9/nothing.git",
      branch: BRANCH,
      agent: "0123456789ab",
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
        env: process.env,
        dir: join(root, "hang", "status"),
        repoUrl: `http://127.0.0.1:${port}/r.git`,
        branch: BRANCH,
        agent: "0123456789ab",
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
