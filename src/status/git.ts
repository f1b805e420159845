// One way to call git for the status branch: a time limit on every command, no prompt that
// could hang the agent, the token passed in the environment (never in argv or on disk), and
// errors whose text is safe to log.

import { execFile } from "node:child_process";
import { type SimpleGit, simpleGit } from "simple-git";
import { oneLine } from "../errors.js";
import { AGENT_GIT_CONFIG, remoteCredentialConfig, withGitConfig } from "../source/git-runner.js";

/** The id of the empty tree, which every Git repository knows without storing it. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
/** Author and committer of every commit gitcron makes. */
export const COMMITTER = "gitcron <gitcron@localhost>";

export interface GitAccess {
  /** A token for https remotes, sent as HTTP basic auth; never written to disk or argv. */
  gitToken?: string;
  /** A command that prints nothing for this long is killed. */
  timeoutMs?: number;
  /** The remote, credentials and all: git is given them through the environment, while argv
   * and .git/config name it by withoutUserinfo(). */
  remoteUrl?: string;
}

export const DEFAULT_GIT_TIMEOUT_MS = 60_000;

/** The environment every status-branch git runs with. */
export function statusGitEnv(access: GitAccess = {}): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined) base[key] = value;
  Object.assign(base, {
    GIT_TERMINAL_PROMPT: "0",
    // The status repository is ours alone: no hooks, no editor, no global identity needed.
    GIT_CONFIG_NOSYSTEM: "1",
  });
  const basic = Buffer.from(`x-access-token:${access.gitToken}`).toString("base64");
  return withGitConfig(base, [
    ...AGENT_GIT_CONFIG,
    ...remoteCredentialConfig(access.remoteUrl),
    ...(access.gitToken ? [["http.extraHeader", `Authorization: Basic ${basic}`] as const] : []),
  ]);
}

/** git with input on stdin (fast-import, cat-file --batch): stdout as a Buffer; rejects with
 * git's first line of stderr. Killed after `timeoutMs`. */
export function gitWithInput(
  dir: string,
  args: readonly string[],
  input: string | Buffer,
  access: GitAccess = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd: dir,
        env: statusGitEnv(access),
        encoding: "buffer",
        maxBuffer: 1 << 30,
        timeout: access.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const why = stderr.toString().trim().split("\n")[0] || err.message;
        reject(new Error(`git ${args[0]} failed: ${why}`));
      },
    );
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
  });
}

export function gitIn(dir: string, access: GitAccess = {}): SimpleGit {
  const env = statusGitEnv(access);
  return simpleGit({
    baseDir: dir,
    timeout: { block: access.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS },
    // The environment is the operator's own (an ssh command, an askpass helper), not the
    // repository's, so passing it on is safe.
    unsafe: {
      allowUnsafeSshCommand: true,
      allowUnsafeAskPass: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeEditor: true,
      allowUnsafePager: true,
      allowUnsafeGitProxy: true,
      // Set by us to /dev/null: hooks off, not on.
      allowUnsafeHooksPath: true,
      allowUnsafeTemplateDir: true,
      allowUnsafeDiffExternal: true,
    },
  }).env(env);
}

/** A git failure as one line with credentials and the token removed. */
export function gitErrorText(err: unknown, access: GitAccess = {}): string {
  return oneLine(err, access.gitToken ? [access.gitToken] : []);
}

/** Brings these blobs from `remote` into a partial clone (fetched with --filter=blob:none) in
 * one request, as Git's own lazy fetch asks for them, rather than one request each. Blobs
 * already here cost nothing. */
export async function fetchBlobs(
  dir: string,
  remote: string,
  oids: readonly string[],
  access: GitAccess = {},
): Promise<void> {
  if (oids.length === 0) return;
  await gitWithInput(
    dir,
    [
      "-c",
      "fetch.negotiationAlgorithm=noop",
      "fetch",
      remote,
      "--no-tags",
      "--no-write-fetch-head",
      "--recurse-submodules=no",
      "--filter=blob:none",
      "--stdin",
    ],
    `${oids.join("\n")}\n`,
    access,
  );
}

/** A parentless commit of the empty tree saying `message`, made at `at`, written to the
 * repository at `dir`: a ref's content when only the ref's moves matter (the lease). */
export async function emptyTreeCommit(
  dir: string,
  message: string,
  at: Date,
  access: GitAccess = {},
): Promise<string> {
  const stamp = `${COMMITTER} ${Math.floor(at.getTime() / 1000)} +0000`;
  const text = `tree ${EMPTY_TREE}\nauthor ${stamp}\ncommitter ${stamp}\n\n${message}`;
  const id = await gitWithInput(
    dir,
    ["hash-object", "-t", "commit", "-w", "--stdin"],
    text,
    access,
  );
  return id.toString().trim();
}
