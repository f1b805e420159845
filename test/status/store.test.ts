import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { type PublishInput, StatusBranchWriter } from "../../src/status/branch.js";
import {
  createStatusStore,
  type StatusStore,
  type StatusStoreOptions,
} from "../../src/status/store.js";
import { createBareRepo, takeOffline, tempDirs } from "../helpers/git.js";
import { journalRuns, viewAt } from "../helpers/ledger.js";
import { state, summary } from "./fixtures.js";

const BRANCH = "gitcron-status";
const temp = tempDirs("gitcron-store-");
const stores: StatusStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.stop()));
  await temp.cleanup();
});

async function setup() {
  const root = await temp.make();
  const remote = await createBareRepo(root, { files: { "a.yaml": "schedule: '@daily'\n" } });
  const dataDir = join(root, "data");
  const open = (over: Partial<StatusStoreOptions> = {}) => {
    const store = createStatusStore({
      git: { env: process.env, timeoutMs: 10_000 },
      dataDir,
      repoUrl: remote.url,
      branch: BRANCH,
      agent: "0123456789ab",
      history: 100,
      flushMs: 100,
      maxBackoffMs: 400,
      stopTimeoutMs: 10_000,
      logger: silentLogger(),
      ...over,
    });
    stores.push(store);
    return store;
  };
  const runsOf = (job: string) => journalRuns(remote.dir, BRANCH, job);
  const outboxFiles = async () =>
    (await readdir(join(dataDir, "outbox"), { withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => d.name);
  return { root, remote, dataDir, open, runsOf, outboxFiles };
}

/** Resolves once every one of `runs` has been published (in one or more pushes). */
function publishedAll(store: StatusStore, count: number): Promise<void> {
  let seen = 0;
  return store.events
    .next("published", (p) => {
      seen += p.summaries;
      return seen >= count;
    })
    .then(() => undefined);
}

describe("the status store", () => {
  it("puts a run on disk before record() resolves and on the branch soon after", async () => {
    const { open, runsOf, outboxFiles } = await setup();
    const store = open();
    store.start();
    const done = publishedAll(store, 1);
    await store.record(summary("a", 0));
    expect(await outboxFiles()).toHaveLength(1);
    await done;
    expect(await runsOf("a")).toEqual([summary("a", 0)]);
    expect(await outboxFiles()).toEqual([]);
    expect(store.counters()).toMatchObject({ recorded: 1, pushes: 1, pending: 0, failures: 0 });
  });

  it("runsOf answers with what the branch holds and what still waits, oldest first", async () => {
    const { remote, open } = await setup();
    const store = open();
    store.start();
    const done = publishedAll(store, 2);
    await store.record(summary("a", 0));
    await store.record(summary("a", 1));
    await done;
    const back = await takeOffline(remote);
    try {
      await store.record(summary("a", 2));
      await store.record(summary("b", 0));
      expect(await store.runsOf("a")).toEqual([summary("a", 0), summary("a", 1), summary("a", 2)]);
      expect(await store.runsOf("b")).toEqual([summary("b", 0)]);
      expect(await store.runsOf("c")).toEqual([]);
    } finally {
      await back();
    }
  });

  it("batches a burst into few pushes: at most one per flush interval", async () => {
    const { open, runsOf } = await setup();
    const store = open({ flushMs: 2_000 });
    store.start();
    const done = publishedAll(store, 40);
    const started = Date.now();
    for (let i = 0; i < 40; i++) await store.record(summary(`job-${i % 4}`, i));
    await done;
    const elapsed = Date.now() - started;
    // The first run goes at once, the rest wait for the interval: two pushes unless the
    // burst itself outlasted an interval.
    expect(store.counters().pushes).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 2_000));
    expect(store.counters().pushes).toBeLessThan(40);
    for (let j = 0; j < 4; j++) expect(await runsOf(`job-${j}`)).toHaveLength(10);
  });

  it("keeps runs in the outbox while the remote is away and delivers all of them when it returns", async () => {
    const { remote, open, runsOf, outboxFiles } = await setup();
    const store = open();
    store.start();
    const back = await takeOffline(remote);
    const failed = store.events.next("publish:failed");
    const runs = [summary("a", 0), summary("a", 1), summary("b", 2)];
    for (const r of runs) await store.record(r);
    const failure = await failed;
    expect(failure.message).toMatch(/cannot (fetch|push) the status branch/);
    expect(await outboxFiles()).toHaveLength(3);
    expect(store.counters().pending).toBe(3);

    const more = summary("b", 3);
    await store.record(more);
    const delivered = publishedAll(store, 4);
    await back();
    await delivered;
    expect(await runsOf("a")).toEqual(runs.slice(0, 2));
    expect(await runsOf("b")).toEqual([runs[2], more]);
    expect(await outboxFiles()).toEqual([]);
    expect(store.counters().failures).toBeGreaterThanOrEqual(1);
  });

  it("replays the outbox of a process that died before pushing", async () => {
    const { open, runsOf, outboxFiles } = await setup();
    const crashed = open();
    // Never started: as if the agent died right after writing these.
    await crashed.record(summary("a", 0));
    await crashed.record(summary("a", 1));
    expect(await outboxFiles()).toHaveLength(2);

    const next = open();
    const done = publishedAll(next, 2);
    next.start();
    await done;
    expect(await runsOf("a")).toEqual([summary("a", 0), summary("a", 1)]);
    expect(await outboxFiles()).toEqual([]);
  });

  it("records nothing twice when the process died after the push but before clearing the outbox", async () => {
    const { remote, dataDir, open, runsOf, outboxFiles } = await setup();
    const real = new StatusBranchWriter({
      env: process.env,
      dir: join(dataDir, "status"),
      repoUrl: remote.url,
      branch: BRANCH,
      agent: "0123456789ab",
      history: 100,
      logger: silentLogger(),
    });
    const dying = open({
      writer: {
        async publish(input: PublishInput) {
          await real.publish(input);
          throw new Error("process killed");
        },
      },
    });
    await dying.record(summary("a", 0));
    await dying.record(summary("a", 1));
    await expect(dying.flush()).rejects.toThrow("process killed");
    expect(await runsOf("a")).toHaveLength(2);
    expect(await outboxFiles()).toHaveLength(2);

    const next = open();
    const replayed = next.events.next("published");
    next.start();
    expect(await replayed).toMatchObject({ pushed: false, summaries: 2, appended: 0 });
    expect(await runsOf("a")).toEqual([summary("a", 0), summary("a", 1)]);
    expect(await outboxFiles()).toEqual([]);
  });

  it("pushes what is pending when stopped, without waiting for the interval", async () => {
    const { open, runsOf } = await setup();
    const store = open({ flushMs: 60_000 });
    store.start();
    const first = publishedAll(store, 1);
    await store.record(summary("a", 0));
    await first;
    await store.record(summary("a", 1));
    const started = Date.now();
    await store.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await runsOf("a")).toHaveLength(2);
  });

  it("brings lagging views up to the journal once they are due, with no run to push", async () => {
    const { remote, open } = await setup();
    const store = open({ flushMs: 50, viewsEveryMs: 1_500 });
    store.start();
    const first = publishedAll(store, 1);
    await store.record(summary("a", 0));
    await first;
    const second = publishedAll(store, 1);
    await store.record(summary("a", 1));
    await second;
    // The second run is in the journal; its view still says run 0.
    expect((await viewAt(remote.dir, BRANCH, "a"))?.last.run).toBe(summary("a", 0).run);
    const views = await store.events.next("published", (p) => p.summaries === 0 && p.pushed);
    expect(views.appended).toBe(0);
    expect((await viewAt(remote.dir, BRANCH, "a"))?.last.run).toBe(summary("a", 1).run);
  });

  it("writes lagging views when stopped", async () => {
    const { remote, open } = await setup();
    const store = open({ flushMs: 50, viewsEveryMs: 3_600_000 });
    store.start();
    for (const n of [0, 1]) {
      const published = publishedAll(store, 1);
      await store.record(summary("a", n));
      await published;
    }
    expect((await viewAt(remote.dir, BRANCH, "a"))?.counts).toEqual({ succeeded: 1 });
    await store.stop();
    expect((await viewAt(remote.dir, BRANCH, "a"))?.counts).toEqual({ succeeded: 2 });
  });

  it("writes state.json on its own only when something other than times changed", async () => {
    const { open } = await setup();
    const published: PublishInput[] = [];
    const store = open({
      flushMs: 0,
      writer: {
        async publish(input) {
          published.push(input);
          return { pushed: true, appended: input.summaries.length };
        },
      },
    });
    store.setState(state(["a"]));
    await store.flush();
    store.setState(state(["a"], { lastSyncAt: "2026-11-26T03:05:00.000Z" }));
    await store.flush();
    expect(published).toHaveLength(1);
    store.setState(state(["a", "b"], { lastSyncAt: "2026-11-26T03:06:00.000Z" }));
    await store.flush();
    expect(published).toHaveLength(2);
    // The newest state, times included, rides along with the next run.
    store.setState(state(["a", "b"], { lastSyncAt: "2026-11-26T03:07:00.000Z" }));
    await store.record(summary("a", 0));
    await store.flush();
    expect(published[2]?.state?.lastSyncAt).toBe("2026-11-26T03:07:00.000Z");
  });
});
