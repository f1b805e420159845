import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createSource, type Snapshot, type Source } from "../../src/source/source.js";
import { createRemote, git, syncRejection, tempDirs } from "./helpers.js";

const dirs = tempDirs();
/** Hooks git runs on a fetch, a checkout, a merge, an index change or an automatic gc. */
const HOOKS = [
  "reference-transaction",
  "post-checkout",
  "post-merge",
  "post-index-change",
  "pre-auto-gc",
];
const sources: Source[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  dirs.cleanup();
});

/** A file's text in a snapshot, or the rule that refused it. */
async function contentOf(snapshot: Snapshot, path: string): Promise<string> {
  const content = await snapshot.read(path);
  return "text" in content ? content.text : `refused: ${content.refused.rule}`;
}

function gitSource(options: { repo: string; path?: string; branch?: string; dataDir?: string }) {
  const source = createSource({
    env: process.env,
    repo: options.repo,
    path: options.path ?? ".",
    dataDir: options.dataDir ?? dirs.make("data"),
    logger: silentLogger(),
    ...(options.branch && { branch: options.branch }),
  });
  sources.push(source);
  return source;
}

describe("git source", () => {
  it("lists every job file below the path on the first sync, skipping dot-folders, other files and files outside the path", async () => {
    const remote = createRemote(dirs.make("remote"));
    const sha = remote.commit({
      "jobs/backup.yaml": "image: a\n",
      "jobs/team/report.yml": "image: b\n",
      "jobs/.drafts/wip.yaml": "image: c\n",
      "jobs/.hidden.yaml": "image: d\n",
      "jobs/README.md": "# jobs\n",
      "other/elsewhere.yaml": "image: e\n",
      "top.yaml": "image: f\n",
    });
    const dataDir = dirs.make("data");
    const source = gitSource({ repo: remote.url, path: "./jobs/", dataDir });

    const snapshot = await source.sync(null);

    expect(snapshot.revision).toBe(sha);
    expect(snapshot.files).toEqual(["backup.yaml", "team/report.yml"]);
    expect(snapshot.changes).toEqual([
      { path: "backup.yaml", kind: "added" },
      { path: "team/report.yml", kind: "added" },
    ]);
    expect(await contentOf(snapshot, "team/report.yml")).toBe("image: b\n");
    // Read from Git's objects: there is no working tree to follow links in.
    expect(existsSync(join(dataDir, "jobs.git", "HEAD"))).toBe(true);
    expect(existsSync(join(dataDir, "jobs.git", "jobs"))).toBe(false);
  });

  it("reports exactly the job files a push modified, added, deleted and renamed", async () => {
    const remote = createRemote(dirs.make("remote"));
    remote.commit({
      "jobs/a.yaml": "a: 1\n",
      "jobs/b.yaml": "b: 1\n",
      "jobs/c.yaml": "c: 1\n",
      "jobs/d.yaml": "d: 1\n",
    });
    const source = gitSource({ repo: remote.url, path: "jobs" });
    const first = await source.sync(null);

    remote.commit({
      "jobs/a.yaml": "a: 2\n",
      "jobs/e.yml": "e: 1\n",
      "jobs/b.yaml": null,
      "jobs/.drafts/x.yaml": "x: 1\n",
      "elsewhere/f.yaml": "f: 1\n",
    });
    const head = remote.rename("jobs/c.yaml", "jobs/moved/c.yaml");
    const second = await source.sync(first.revision);

    expect(second.revision).toBe(head);
    expect(second.changes).toEqual([
      { path: "a.yaml", kind: "modified" },
      { path: "b.yaml", kind: "deleted" },
      { path: "c.yaml", kind: "deleted" },
      { path: "e.yml", kind: "added" },
      { path: "moved/c.yaml", kind: "added" },
    ]);
    expect(second.files).toEqual(["a.yaml", "d.yaml", "e.yml", "moved/c.yaml"]);
    expect(await contentOf(second, "b.yaml")).toBe("refused: file.read");
    expect(await contentOf(second, "a.yaml")).toBe("a: 2\n");
    // A file that did not change is read on demand.
    expect(await contentOf(second, "d.yaml")).toBe("d: 1\n");

    const again = await source.sync(second.revision);
    expect(again).toMatchObject({ revision: head, changes: [] });
  });

  it("follows the remote's default branch when no branch is given, and the named one when it is", async () => {
    const remote = createRemote(dirs.make("remote"), { branch: "trunk" });
    remote.commit({ "a.yaml": "a: 1\n" });
    const work = remote.work;
    writeFileSync(join(work, "b.yaml"), "b: 1\n");
    git(work, "add", "b.yaml");
    git(work, "commit", "-q", "-m", "b on another branch");
    git(work, "push", "-q", "origin", "HEAD:refs/heads/other");

    const byDefault = gitSource({ repo: remote.url });
    expect((await byDefault.sync(null)).files).toEqual(["a.yaml"]);
    expect(byDefault.description).toContain("(default branch)");

    const named = gitSource({ repo: remote.url, branch: "other" });
    expect((await named.sync(null)).files).toEqual(["a.yaml", "b.yaml"]);
    expect(named.description).toContain("branch other");
  });

  it("reports every file as added after a force-push rewrote the history", async () => {
    const remote = createRemote(dirs.make("remote"));
    remote.commit({ "a.yaml": "a: 1\n", "b.yaml": "b: 1\n" });
    const source = gitSource({ repo: remote.url });
    const before = await source.sync(null);

    const rewritten = remote.commit(
      { "a.yaml": "a: 1\n", "b.yaml": "b: 2\n", "c.yaml": "c: 1\n" },
      { orphan: true },
    );
    const after = await source.sync(before.revision);

    expect(after.revision).toBe(rewritten);
    expect(after.changes).toEqual([
      { path: "a.yaml", kind: "added" },
      { path: "b.yaml", kind: "added" },
      { path: "c.yaml", kind: "added" },
    ]);
    // A revision the checkout never saw is no better than none.
    const unknown = await source.sync("0".repeat(40));
    expect(unknown.changes).toHaveLength(3);
  });

  it("fails retryable when the remote is moved away, keeps the last revision checked out, and recovers", async () => {
    const remote = createRemote(dirs.make("remote"));
    const sha = remote.commit({ "a.yaml": "a: 1\n" });
    const dataDir = dirs.make("data");
    const source = gitSource({ repo: remote.url, dataDir });
    const good = await source.sync(null);

    const moved = `${remote.bare}-moved`;
    renameSync(remote.bare, moved);
    const err = await syncRejection(source.sync(good.revision));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/git fetch failed/);
    expect(git(join(dataDir, "jobs.git"), "rev-parse", "refs/remotes/origin/main").trim()).toBe(
      sha,
    );
    expect(await contentOf(good, "a.yaml")).toBe("a: 1\n");

    renameSync(moved, remote.bare);
    const next = remote.commit({ "a.yaml": "a: 2\n" });
    const back = await source.sync(good.revision);
    expect(back.revision).toBe(next);
    expect(back.changes).toEqual([{ path: "a.yaml", kind: "modified" }]);
  });

  it("clones again when the checkout is broken or was cloned from another URL", async () => {
    const first = createRemote(dirs.make("remote"));
    first.commit({ "one.yaml": "x: 1\n" });
    const second = createRemote(dirs.make("remote"));
    const secondSha = second.commit({ "two.yaml": "x: 2\n" });
    const dataDir = dirs.make("data");

    mkdirSync(join(dataDir, "jobs.git"), { recursive: true });
    writeFileSync(join(dataDir, "jobs.git", "HEAD"), "garbage");
    // An earlier version's working tree is removed, not read.
    mkdirSync(join(dataDir, "repo", ".git"), { recursive: true });
    expect((await gitSource({ repo: first.url, dataDir }).sync(null)).files).toEqual(["one.yaml"]);
    expect(existsSync(join(dataDir, "repo"))).toBe(false);

    const other = await gitSource({ repo: second.url, dataDir }).sync(null);
    expect(other).toMatchObject({ revision: secondSha, files: ["two.yaml"] });
    expect(await contentOf(other, "one.yaml")).toBe("refused: file.read");
  });

  it("lists links and submodules named like job files, and refuses them without reading a target", async () => {
    const remote = createRemote(dirs.make("remote"));
    const secret = join(dirs.make("host"), "secret.yaml");
    writeFileSync(secret, "schedule: stolen\n");
    const target = createRemote(dirs.make("sub"));
    target.commit({ "x.yaml": "x: 1\n" });
    symlinkSync(secret, join(remote.work, "leak.yaml"));
    symlinkSync("/dev/zero", join(remote.work, "zero.yaml"));
    git(remote.work, "add", "leak.yaml", "zero.yaml");
    git(
      remote.work,
      "-c",
      "protocol.file.allow=always",
      "submodule",
      "add",
      "-q",
      target.url,
      "sub.yaml",
    );
    const sha = remote.commit({ "good.yaml": "a: 1\n", "big.yaml": `# ${"x".repeat(300_000)}\n` });
    const snapshot = await gitSource({ repo: remote.url }).sync(null);
    expect(snapshot.revision).toBe(sha);
    expect(snapshot.files).toEqual(["big.yaml", "good.yaml", "leak.yaml", "sub.yaml", "zero.yaml"]);
    const contents = await Promise.all(snapshot.files.map((f) => contentOf(snapshot, f)));
    expect(contents).toEqual([
      "refused: file.size",
      "a: 1\n",
      "refused: file.symlink",
      "refused: file.symlink",
      "refused: file.symlink",
    ]);
  });

  it("runs no hook, whatever the agent's jobs repository holds", async () => {
    const remote = createRemote(dirs.make("remote"));
    remote.commit({ "a.yaml": "a: 1\n" });
    const dataDir = dirs.make("data");
    const source = gitSource({ repo: remote.url, dataDir });
    await source.sync(null);
    // Hooks in the agent's own repository (a job with a volume over the data folder, or a
    // person with a shell there, could write them), and an fsmonitor program in its config
    // (git calls it only for a working tree, which this repository has none of, yet).
    const repo = join(dataDir, "jobs.git");
    const marker = join(dataDir, "ran");
    const script = (name: string) => `#!/bin/sh\necho ${name} >> ${marker}\n`;
    mkdirSync(join(repo, "hooks"), { recursive: true });
    for (const hook of HOOKS) {
      writeFileSync(join(repo, "hooks", hook), script(hook));
      chmodSync(join(repo, "hooks", hook), 0o755);
    }
    writeFileSync(join(dataDir, "fsmonitor"), script("fsmonitor"));
    chmodSync(join(dataDir, "fsmonitor"), 0o755);
    git(repo, "config", "core.fsmonitor", join(dataDir, "fsmonitor"));

    const head = remote.commit({ "a.yaml": "a: 2\n" });
    const snapshot = await source.sync(null);
    expect(snapshot.revision).toBe(head);
    expect(existsSync(marker) ? readFileSync(marker, "utf8") : "").toBe("");

    // The payload is live: git as it runs by default runs a hook on the same fetch.
    git(repo, "fetch", "-q", "origin", "+refs/heads/main:refs/probe/main");
    expect(readFileSync(marker, "utf8")).toContain("reference-transaction");
  });

  it("treats a local path with .git as a repository, not a watched folder", async () => {
    const remote = createRemote(dirs.make("remote"));
    const sha = remote.commit({ "a.yaml": "a: 1\n" });
    const source = gitSource({ repo: remote.work });
    expect(source.description).toMatch(/^git /);
    expect((await source.sync(null)).revision).toBe(sha);
  });
});
