// Real Git repositories for tests: bare remotes in temp folders reached by file:// URLs,
// working clones, commits and reads of a branch without checking it out. Every command runs
// with a fixed identity and no system or global config, so tests never depend on the machine.

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "test",
  GIT_AUTHOR_EMAIL: "test@localhost",
  GIT_COMMITTER_NAME: "test",
  GIT_COMMITTER_EMAIL: "test@localhost",
  GIT_TERMINAL_PROMPT: "0",
};

/** Runs git and returns its stdout; rejects with git's stderr in the message. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`git ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Temp folders made during a test, removed by `cleanup()` (call it in afterEach). */
export function tempDirs(prefix = "gitcron-test-") {
  const made: string[] = [];
  return {
    async make(name = ""): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), `${prefix}${name}`));
      made.push(dir);
      return dir;
    },
    async cleanup(): Promise<void> {
      await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

export interface BareRepo {
  /** The bare repository's folder. */
  dir: string;
  /** `file://` URL of it. */
  url: string;
}

/** A bare repository in `parent`; with `files`, a first commit on `branch` (default main). */
export async function createBareRepo(
  parent: string,
  options: { files?: Record<string, string>; branch?: string; name?: string } = {},
): Promise<BareRepo> {
  const branch = options.branch ?? "main";
  const dir = join(parent, options.name ?? "remote.git");
  await mkdir(dir, { recursive: true });
  await git(dir, "init", "-q", "--bare", `--initial-branch=${branch}`);
  // As GitHub, GitLab and Gitea serve: partial fetches (readers of the status branch use them).
  await git(dir, "config", "uploadpack.allowFilter", "true");
  const repo = { dir, url: pathToFileURL(dir).href };
  if (options.files) {
    const work = await cloneRepo(repo.url, join(parent, `${options.name ?? "remote"}-seed`));
    await git(work, "checkout", "-q", "-b", branch);
    await commitFiles(work, options.files, "seed");
    await git(work, "push", "-q", "origin", `HEAD:refs/heads/${branch}`);
  }
  return repo;
}

/** A working clone of `url` at `dir`. */
export async function cloneRepo(url: string, dir: string): Promise<string> {
  await mkdir(dirname(dir), { recursive: true });
  await git(dirname(dir), "clone", "-q", url, dir);
  return dir;
}

/** Writes (or, with null, deletes) files in a working tree and commits them; returns the SHA. */
export async function commitFiles(
  workDir: string,
  files: Record<string, string | null>,
  message: string,
): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(workDir, path);
    if (content === null) {
      await rm(full, { force: true });
    } else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }
  await git(workDir, "add", "-A");
  await git(workDir, "commit", "-q", "--allow-empty", "-m", message);
  return (await git(workDir, "rev-parse", "HEAD")).trim();
}

/** The tip of `branch` in a (bare or working) repository, or null when it does not exist. */
export async function branchTip(repoDir: string, branch: string): Promise<string | null> {
  try {
    return (await git(repoDir, "rev-parse", "--verify", "-q", `refs/heads/${branch}`)).trim();
  } catch {
    return null;
  }
}

/** A file's content on `branch` (or at any revision), or null when it is not there. */
export async function readFileAt(
  repoDir: string,
  rev: string,
  path: string,
): Promise<string | null> {
  try {
    return await git(repoDir, "show", `${rev}:${path}`);
  } catch {
    return null;
  }
}

/** Every file path on `branch`, sorted. */
export async function listFilesAt(repoDir: string, rev: string): Promise<string[]> {
  const out = await git(repoDir, "ls-tree", "-r", "--name-only", rev);
  return out.split("\n").filter(Boolean).sort();
}

/** Commit subjects and bodies on `branch`, newest first. */
export async function commitMessages(repoDir: string, rev: string): Promise<string[]> {
  const out = await git(repoDir, "log", "--format=%B%x00", rev);
  return out
    .split("\0")
    .map((m) => m.trim())
    .filter(Boolean);
}

export async function deleteBranch(repoDir: string, branch: string): Promise<void> {
  await git(repoDir, "update-ref", "-d", `refs/heads/${branch}`);
}

/** Makes the remote unreachable (moved away) until the returned function puts it back. */
export async function takeOffline(repo: BareRepo): Promise<() => Promise<void>> {
  const away = `${repo.dir}.away`;
  await rename(repo.dir, away);
  return () => rename(away, repo.dir);
}
