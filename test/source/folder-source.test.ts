// A plain folder as the source: rescans with content digests, and a debounced watch.

import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createFolderSource, type FolderSource } from "../../src/source/folder-source.js";
import { createSource } from "../../src/source/source.js";
import { syncRejection, tempDirs } from "./helpers.js";

const dirs = tempDirs();
const sources: FolderSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  dirs.cleanup();
});

function folderSource(folder: string, options: { path?: string; debounceMs?: number } = {}) {
  const source = createFolderSource({
    env: process.env,
    repo: folder,
    folder,
    path: options.path ?? ".",
    jobsPath: options.path ?? ".",
    dataDir: dirs.make("data"),
    logger: silentLogger(),
    ...(options.debounceMs && { debounceMs: options.debounceMs }),
  });
  sources.push(source);
  return source;
}

function write(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe("folder source", () => {
  it("is chosen for a plain folder without .git", () => {
    const folder = dirs.make("jobs");
    const source = createSource({
      env: process.env,
      repo: folder,
      path: ".",
      dataDir: dirs.make("data"),
      logger: silentLogger(),
    });
    expect(source.description).toBe(`folder ${folder}`);
  });

  it("lists job files, keeps the revision while nothing changes, and reports exact changes since the last sync", async () => {
    const folder = dirs.make("jobs");
    write(folder, {
      "jobs/a.yaml": "a: 1\n",
      "jobs/b.yml": "b: 1\n",
      "jobs/c.yaml": "c: 1\n",
      "jobs/.drafts/x.yaml": "x: 1\n",
      "jobs/notes.txt": "hello\n",
      "outside.yaml": "o: 1\n",
    });
    const source = folderSource(folder, { path: "jobs" });

    const first = await source.sync(null);
    expect(await first.read("a.yaml")).toEqual({ text: "a: 1\n" });
    expect(first.files).toEqual(["a.yaml", "b.yml", "c.yaml"]);
    expect(first.changes.map((c) => c.kind)).toEqual(["added", "added", "added"]);
    expect(first.revision).toMatch(/^folder:[0-9a-f]{64}$/);

    const same = await source.sync(first.revision);
    expect(same).toMatchObject({ revision: first.revision, changes: [] });

    write(folder, {
      "jobs/a.yaml": "a: 2\n",
      "jobs/sub/d.yaml": "d: 1\n",
      "outside.yaml": "o: 2\n",
    });
    rmSync(join(folder, "jobs/b.yml"));
    renameSync(join(folder, "jobs/c.yaml"), join(folder, "jobs/sub/c.yaml"));
    const second = await source.sync(same.revision);
    expect(second.revision).not.toBe(first.revision);
    expect(second.changes).toEqual([
      { path: "a.yaml", kind: "modified" },
      { path: "b.yml", kind: "deleted" },
      { path: "c.yaml", kind: "deleted" },
      { path: "sub/c.yaml", kind: "added" },
      { path: "sub/d.yaml", kind: "added" },
    ]);

    // An edit that is undone gives the old revision back.
    write(folder, { "jobs/a.yaml": "a: 3\n" });
    const edited = await source.sync(second.revision);
    write(folder, { "jobs/a.yaml": "a: 2\n" });
    expect((await source.sync(edited.revision)).revision).toBe(second.revision);
  });

  it("lists every file as added when asked about a revision it did not produce", async () => {
    const folder = dirs.make("jobs");
    write(folder, { "a.yaml": "a: 1\n", "b.yaml": "b: 1\n" });
    const source = folderSource(folder);
    await source.sync(null);
    const snapshot = await source.sync("folder:somewhere-else");
    expect(snapshot.changes).toEqual([
      { path: "a.yaml", kind: "added" },
      { path: "b.yaml", kind: "added" },
    ]);
  });

  it("fails retryable while the folder does not exist", async () => {
    const folder = join(dirs.make("jobs"), "not-yet");
    const err = await syncRejection(folderSource(folder).sync(null));
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`the jobs folder ${folder} cannot be read: it does not exist`);
  });

  it("calls back once for a burst of job file writes, not for other files, and the next sync has them", async () => {
    const folder = dirs.make("jobs");
    write(folder, { "a.yaml": "a: 1\n" });
    const source = folderSource(folder, { debounceMs: 100 });
    const before = await source.sync(null);
    let calls = 0;
    const unwatch = source.watch(() => {
      calls += 1;
    });
    await source.watching();

    write(folder, { "notes.txt": "x", ".drafts/wip.yaml": "w: 1\n", ".hidden.yaml": "h: 1\n" });
    // Nothing to wait for when nothing should happen: give the watcher a bounded window.
    await new Promise((done) => setTimeout(done, 400));
    expect(calls).toBe(0);

    for (let i = 0; i < 5; i++) write(folder, { [`burst-${i}.yaml`]: `n: ${i}\n` });
    write(folder, { "a.yaml": "a: 2\n" });
    await until(() => calls >= 1, "the change callback");
    await new Promise((done) => setTimeout(done, 400));
    expect(calls).toBe(1);

    const after = await source.sync(before.revision);
    expect(after.changes).toEqual([
      { path: "a.yaml", kind: "modified" },
      ...[0, 1, 2, 3, 4].map((i) => ({ path: `burst-${i}.yaml`, kind: "added" })),
    ]);

    rmSync(join(folder, "burst-0.yaml"));
    await until(() => calls === 2, "the callback for a deletion");

    unwatch();
    write(folder, { "late.yaml": "l: 1\n" });
    await new Promise((done) => setTimeout(done, 400));
    expect(calls).toBe(2);
  });
});
