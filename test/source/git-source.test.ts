import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createSource, type Source } from "../../src/source/source.js";
import { createRemote, git, syncRejection, tempDirs } from "./helpers.js";

const dirs = tempDirs();
const sources: Source[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  dirs.cleanup();
});

function gitSource(options: { repo: string; path?: string; branch?: string; dataDir?: string }) {
  const source = createSource({
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
    expect(snapshot.root).toBe(join(dataDir, "repo", "jobs"));
    expect(snapshot.files).toEqual(["backup.yaml", "team/report.yml"]);
    expect(snapshot.changes).toEqual([
      { path: "backup.yaml", kind: "added" },
      { path: "team/report.yml", kind: "added" },
    ]);
    expect(readFileSync(join(snapshot.root, "team/report.yml"), "utf8")).toBe("image: b\n");
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
    expect(existsSync(join(second.root, "b.yaml"))).toBe(false);
    expect(readFileSync(join(second.root, "a.yaml"), "utf8")).toBe("a: 2\n");

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
    expect(git(join(dataDir, "repo"), "rev-parse", "HEAD").trim()).toBe(sha);
    expect(readFileSync(join(good.root, "a.yaml"), "utf8")).toBe("a: 1\n");

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

    mkdirSync(join(dataDir, "repo", ".git"), { recursive: true });
    writeFileSync(join(dataDir, "repo", ".git", "HEAD"), "garbage");
    expect((await gitSource({ repo: first.url, dataDir }).sync(null)).files).toEqual(["one.yaml"]);

    const other = await gitSource({ repo: second.url, dataDir }).sync(null);
    expect(other).toMatchObject({ revision: secondSha, files: ["two.yaml"] });
    expect(existsSync(join(other.root, "one.yaml"))).toBe(false);
  });

  it("treats a local path with .git as a repository, not a watched folder", async () => {
    const remote = createRemote(dirs.make("remote"));
    const sha = remote.commit({ "a.yaml": "a: 1\n" });
    const source = gitSource({ repo: remote.work });
    expect(source.description).toMatch(/^git /);
    expect((await source.sync(null)).revision).toBe(sha);
  });
});
