// A Git remote as a source: a bare repository of its own in <dataDir>/jobs.git, fetched on every
// sync, the head commit verified when --verify-signatures is set. Nothing is ever checked out:
// job files are read from Git's objects by their tree entries (SPEC §4, "Files"), so a link in
// the repository is never followed on the agent's disk.

import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { sanitize, UsageError } from "../errors.js";
import { DEFAULT_GIT_TIMEOUT_MS, type Git } from "../git/run.js";
import { withoutUserinfo } from "../text/url-credentials.js";
import { revisionFiles } from "./git-objects.js";
import { createGitRunner } from "./git-runner.js";
import { jobFileChanges } from "./git-tree.js";
import { verifyHeadCommit } from "./signatures.js";
import type { JobFileChange, Snapshot, Source, SourceOptions } from "./source.js";
import { SourceError } from "./source-error.js";

export interface GitSourceOptions extends SourceOptions {
  url: string;
  /** Normalised: "." or a relative path without trailing slash. */
  jobsPath: string;
}

/** A full commit name (SHA-1 or SHA-256): the revision the agent applied last, as it saved it. */
const COMMIT = /^[0-9a-f]{40,64}$/;

/** A sync may take a few silence timeouts in all (a big first clone prints progress). */
const DEADLINE_FACTOR = 3;

export function createGitSource(options: GitSourceOptions): Source {
  const { url, jobsPath, logger } = options;
  if (options.branch !== undefined) checkBranchName(options.branch);
  const checkout = resolve(options.dataDir, "jobs.git");
  // Earlier versions kept a working tree here; it is not read any more.
  const legacyCheckout = resolve(options.dataDir, "repo");
  const silenceTimeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const git = createGitRunner({
    remoteUrl: url,
    timeoutMs: silenceTimeoutMs,
    env: options.env,
    ...(options.gitToken && { gitToken: options.gitToken }),
  });
  const secrets = options.gitToken ? [options.gitToken] : [];
  const description = [
    "git",
    sanitize(url, secrets),
    options.branch ? `branch ${options.branch}` : "(default branch)",
    ...(jobsPath === "." ? [] : [`path ${jobsPath}`]),
  ].join(" ");
  const closed = new AbortController();
  // State of this source only: what we learnt from the remote and from our own checkout.
  let branch = options.branch;
  // How argv and .git/config name the remote: git gets its credentials from the environment.
  const remote = withoutUserinfo(url);
  let checkoutReady = false;
  let verifiedSha: string | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const resolveBranch = async (signal: AbortSignal): Promise<string> => {
    if (branch) return branch;
    const out = await git(["ls-remote", "--symref", "--", remote, "HEAD"], { signal });
    const found = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out)?.[1];
    if (!found) {
      throw new SourceError(
        `${description}: the remote names no default branch (is it empty?); pass --branch`,
        { retryable: true },
      );
    }
    logger.info({ branch: found }, "using the remote's default branch");
    branch = found;
    return found;
  };

  /** Our bare repository, made if missing; wiped and made again if broken or fetched from
   * another URL. */
  const ensureCheckout = async (signal: AbortSignal): Promise<void> => {
    if (checkoutReady) return;
    if (existsSync(legacyCheckout)) await rm(legacyCheckout, { recursive: true, force: true });
    const problem = existsSync(join(checkout, "HEAD"))
      ? await checkoutProblem(git, checkout, url, signal)
      : "missing";
    if (problem) {
      if (problem !== "missing")
        logger.warn({ problem }, "the local repository is unusable; fetching again");
      await rm(checkout, { recursive: true, force: true });
      await mkdir(checkout, { recursive: true });
      await git(["init", "-q", "--bare"], { cwd: checkout, signal });
      await git(["remote", "add", "origin", remote], { cwd: checkout, signal });
    }
    checkoutReady = true;
  };

  const changesSince = async (
    since: string | null,
    sha: string,
    files: string[],
    signal: AbortSignal,
  ): Promise<JobFileChange[]> => {
    const allAdded = files.map((path): JobFileChange => ({ path, kind: "added" }));
    if (since === sha) return [];
    if (since === null || !COMMIT.test(since)) return allAdded;
    try {
      await git(["merge-base", "--is-ancestor", since, sha], { cwd: checkout, signal });
    } catch (err) {
      if (signal.aborted) throw err;
      // Unknown or not an ancestor (a force-push): everything is read again.
      return allAdded;
    }
    const out = await git(
      ["diff", "--no-renames", "--name-status", "-z", since, sha, "--", ...pathspec(jobsPath)],
      { cwd: checkout, signal },
    );
    return jobFileChanges(out, jobsPath);
  };

  /** One signal for the whole sync: its deadline, the caller's signal, close(). Linked by hand,
   * with listeners removed after, as the agent syncs every second for months. */
  const syncOnce = async (since: string | null, external?: AbortSignal): Promise<Snapshot> => {
    const sync = new AbortController();
    const deadline = setTimeout(
      () => sync.abort(new DOMException("the sync's deadline passed", "TimeoutError")),
      silenceTimeoutMs * DEADLINE_FACTOR,
    );
    const cancel = () => sync.abort(new DOMException("the sync was cancelled", "AbortError"));
    const parents = external ? [closed.signal, external] : [closed.signal];
    for (const parent of parents) {
      if (parent.aborted) cancel();
      else parent.addEventListener("abort", cancel, { once: true });
    }
    try {
      return await fetchSnapshot(since, sync.signal);
    } finally {
      clearTimeout(deadline);
      for (const parent of parents) parent.removeEventListener("abort", cancel);
    }
  };

  const fetchSnapshot = async (since: string | null, signal: AbortSignal): Promise<Snapshot> => {
    const started = performance.now();
    const name = await resolveBranch(signal);
    await ensureCheckout(signal);
    const remoteRef = `refs/remotes/origin/${name}`;
    try {
      await git(
        ["fetch", "--no-tags", "--progress", "origin", `+refs/heads/${name}:${remoteRef}`],
        { cwd: checkout, signal },
      );
    } catch (err) {
      // A broken object store shows up here first; look again before the next fetch.
      checkoutReady = false;
      throw err;
    }
    const sha = (
      await git(["rev-parse", "--verify", `${remoteRef}^{commit}`], { cwd: checkout, signal })
    ).trim();
    if (options.verifySignatures && sha !== verifiedSha) {
      await verifyHeadCommit({
        git,
        cwd: checkout,
        sha,
        allowedSigners: options.verifySignatures,
        signal,
      });
      verifiedSha = sha;
    }
    const filesAt = (commit: string) =>
      revisionFiles({
        git,
        cwd: checkout,
        sha: commit,
        jobsPath,
        signal,
        readTimeoutMs: silenceTimeoutMs,
      });
    const revision = await filesAt(sha);
    const { files, read } = revision;
    const jobsPathMissing =
      files.length === 0 && jobsPath !== "." && !(await hasTree(sha, jobsPath, signal));
    const changes = await changesSince(since, sha, files, signal);
    // The changed files are the ones parsed next: their blobs come in one batch.
    await revision.prefetch(changes.filter((c) => c.kind !== "deleted").map((c) => c.path));
    logger.debug(
      { revision: sha, files: files.length, changes: changes.length, ms: ms(started) },
      "fetched",
    );
    return {
      revision: sha,
      files,
      changes,
      read,
      ...(since &&
        COMMIT.test(since) &&
        since !== sha && { previous: async () => (await filesAt(since)).read }),
      ...(jobsPathMissing && { jobsPathMissing }),
    };
  };

  const hasTree = async (sha: string, path: string, signal: AbortSignal): Promise<boolean> => {
    try {
      const type = await git(["cat-file", "-t", `${sha}:${path}`], { cwd: checkout, signal });
      return type.trim() === "tree";
    } catch (err) {
      if (signal.aborted) throw err;
      return false;
    }
  };

  const probe = async (signal: AbortSignal): Promise<void> => {
    const name = await resolveBranch(signal);
    const heads = await git(["ls-remote", "--heads", "--", remote, `refs/heads/${name}`], {
      signal,
    });
    if (heads.trim() === "")
      throw new SourceError(`${description}: the remote has no branch "${name}"`, {
        retryable: true,
        wrongSetting: "branch",
      });
  };

  return {
    description,
    // One sync at a time: two would reset the same checkout under each other.
    sync(since, signal) {
      const run = queue.then(() => syncOnce(since, signal));
      queue = run.catch(() => undefined);
      return run;
    },
    watch: () => () => undefined,
    async probe(external) {
      const deadline = AbortSignal.timeout(silenceTimeoutMs);
      await probe(
        external
          ? AbortSignal.any([external, deadline, closed.signal])
          : AbortSignal.any([deadline, closed.signal]),
      );
    },
    async close() {
      closed.abort();
      await queue;
    },
  };
}

async function checkoutProblem(
  git: Git,
  checkout: string,
  url: string,
  signal: AbortSignal,
): Promise<string | null> {
  try {
    const gitDir = (await git(["rev-parse", "--git-dir"], { cwd: checkout, signal })).trim();
    if (gitDir !== ".") return "not a repository of its own";
    const origin = await git(["config", "--get", "remote.origin.url"], {
      cwd: checkout,
      signal,
    }).catch(() => "");
    // An older clone holds the whole URL, credentials and all: it is fetched anew without.
    return origin.trim() === withoutUserinfo(url) ? null : "cloned from another URL";
  } catch (err) {
    if (signal.aborted) throw err;
    return "not a readable repository";
  }
}

function pathspec(jobsPath: string): string[] {
  return jobsPath === "." ? [] : [jobsPath];
}

/** The rules of `git check-ref-format --branch`, the parts that matter for a flag value. */
function checkBranchName(name: string): void {
  if (
    name === "" ||
    name.startsWith("-") ||
    name.includes("..") ||
    /[\s~^:?*[\\]|\p{Cc}/u.test(name) ||
    name.endsWith(".lock") ||
    name.endsWith("/") ||
    name.endsWith(".")
  ) {
    throw new UsageError(`--branch ${JSON.stringify(name)} is not a valid branch name`);
  }
}

function ms(started: number): number {
  return Math.round(performance.now() - started);
}
