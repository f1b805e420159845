// The one place gitcron starts git. Every command gets the same hardened environment
// (environment.ts: no program a repository's config names runs, the user's own credential
// helpers do, no prompt, ssh in batch mode, credentials never in argv or on disk), git's own
// upload-pack and receive-pack, a process group of its own, a silence timeout and the caller's
// abort signal, and fails with a GitError whose words carry no credentials. The environment is
// the entry point's, passed in: nothing here reads process.env.

import { spawn } from "node:child_process";
import { sanitize } from "../errors.js";
import {
  type ConfigPair,
  type GitAccess,
  gitEnvironment,
  hardenedEnvironment,
  parseUserHelpers,
} from "./environment.js";

export type { Env, GitAccess } from "./environment.js";

export const DEFAULT_GIT_TIMEOUT_MS = 60_000;

export interface GitCall {
  cwd?: string;
  /** Written to git's stdin (fast-import, cat-file --batch, fetch --stdin); else it reads none. */
  input?: string | Buffer;
  /** Stops the command: a deadline, a shutdown. */
  signal?: AbortSignal;
}

/** git with these arguments: its stdout as text, or with bytes() as a Buffer. */
export interface Git {
  (args: readonly string[], call?: GitCall): Promise<string>;
  bytes(args: readonly string[], call?: GitCall): Promise<Buffer>;
}

/** A git command that failed, timed out or was stopped. Every text in it is without credentials. */
export class GitError extends Error {
  override name = "GitError";
  constructor(
    message: string,
    readonly details: {
      kind: "failed" | "timeout" | "stopped";
      /** The git command (`fetch`), as messages name it. */
      verb: string;
      /** Its exit code; null when it did not exit by itself. */
      code: number | null;
      /** What it printed on stderr. */
      stderr: string;
      /** stdout then stderr: a push --porcelain says on stdout which refs were refused. */
      output: string;
      /** Why it was stopped: the signal's reason. */
      reason?: unknown;
    },
  ) {
    super(message);
  }
}

/** The program a transport starts for a local or file:// remote (or asks an ssh server to
 * run), as git names it by default. Git takes the first remote.<name>.uploadpack or
 * receivepack it reads, a repository's before any config given here: only a flag overrides it. */
const TRANSPORT_PROGRAM = new Map([
  ["fetch", "--upload-pack=git-upload-pack"],
  ["ls-remote", "--upload-pack=git-upload-pack"],
  ["push", "--receive-pack=git-receive-pack"],
]);

/** The user's credential helpers, by the variables that say where their config is. */
const userHelperCache = new Map<string, Promise<readonly ConfigPair[]>>();

/** Every credential.helper and credential.<url>.helper of the user's own config, empty ones
 * too, in the order git reads them: named again after SAFE_CONFIG empties the list, they make
 * the list git would make without the repository's (and the machine's) entries. Read once per
 * process and place of config, by git itself from the root folder, where no repository's
 * config is; none when they cannot be read. */
function userCredentialHelpers(
  access: GitAccess,
  timeoutMs: number,
): Promise<readonly ConfigPair[]> {
  const env = hardenedEnvironment(access.env);
  // Read by `git config` alone, this one file would stand for all the config there is.
  delete env.GIT_CONFIG;
  const where = JSON.stringify(
    Object.entries(env)
      .filter(([key]) => /^(HOME|XDG_CONFIG_HOME|GIT_CONFIG_.*)$/.test(key))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  let helpers = userHelperCache.get(where);
  if (!helpers) {
    const args = [
      "config",
      "--null",
      "--show-scope",
      "--get-regexp",
      "^credential\\.(.+\\.)?helper$",
    ];
    helpers = spawnGit(args, { cwd: "/" }, env, timeoutMs, []).then(
      (out) => parseUserHelpers(out.toString()),
      (err: unknown) => {
        // Exit code 1: none set (no such file, no HOME). Any other failure (a config git
        // cannot parse, a git older than 2.26 without --show-scope) is tried again by the
        // next runner.
        if (!(err instanceof GitError && err.details.code === 1)) userHelperCache.delete(where);
        return [];
      },
    );
    userHelperCache.set(where, helpers);
  }
  return helpers;
}

/** git for one remote (or none): the environment is made once. `mapError` turns a GitError
 * into the caller's own kind of error. */
export function gitRunner(
  access: GitAccess,
  options: { cwd?: string; mapError?: (err: GitError) => Error } = {},
): Git {
  const secrets = access.gitToken ? [access.gitToken] : [];
  const timeoutMs = access.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  // Made at the first command: the user's credential helpers are read by a git of its own.
  let env: Promise<Record<string, string>> | undefined;
  const { mapError } = options;
  const bytes = async (args: readonly string[], call: GitCall = {}) => {
    env ??= userCredentialHelpers(access, timeoutMs).then((helpers) =>
      gitEnvironment(access, helpers),
    );
    try {
      return await spawnGit(args, { cwd: options.cwd, ...call }, await env, timeoutMs, secrets);
    } catch (err) {
      throw mapError && err instanceof GitError ? mapError(err) : err;
    }
  };
  const git = async (args: readonly string[], call?: GitCall) =>
    (await bytes(args, call)).toString();
  return Object.assign(git, { bytes });
}

/** After git exits, how long its output may take to close: a process it started (an ssh
 * master) may hold the pipes open for good. */
const EXIT_GRACE_MS = 100;

// Each git runs in a process group of its own, so that a timeout or a stop kills what it
// started as well: a fetch's remote helper blocked on a server that never answers outlives a
// killed git, and an agent retrying every sync would gather them. Out of the terminal's
// foreground group, git no longer gets Ctrl-C from it: this process passes SIGINT on (and, when
// nobody else listens, dies of it as before), and kills what is left when it exits.
const liveGroups = new Set<number>();

const killGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // Gone already.
  }
};

function passInterrupt() {
  for (const pid of liveGroups) killGroup(pid, "SIGINT");
  if (process.listenerCount("SIGINT") === 1) {
    unwatchGroups();
    process.kill(process.pid, "SIGINT");
  }
}

const killLeft = () => {
  for (const pid of liveGroups) killGroup(pid, "SIGKILL");
};

function watchGroup(pid: number) {
  if (liveGroups.size === 0) {
    process.on("SIGINT", passInterrupt);
    process.on("exit", killLeft);
  }
  liveGroups.add(pid);
}

function unwatchGroup(pid: number) {
  if (liveGroups.delete(pid) && liveGroups.size === 0) unwatchGroups();
}

function unwatchGroups() {
  process.off("SIGINT", passInterrupt);
  process.off("exit", killLeft);
}

function spawnGit(
  args: readonly string[],
  call: GitCall,
  env: Record<string, string>,
  timeoutMs: number,
  secrets: readonly string[],
): Promise<Buffer> {
  const verb = verbOf(args);
  const { signal } = call;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const fail = (
      kind: GitError["details"]["kind"],
      message: string,
      more: { code?: number | null; reason?: unknown } = {},
    ) => {
      const stderr = sanitize(Buffer.concat(err).toString(), secrets);
      const output = sanitize(Buffer.concat([...out, ...err]).toString(), secrets);
      const { code = null, reason } = more;
      return new GitError(sanitize(message, secrets), { kind, verb, code, stderr, output, reason });
    };
    if (signal?.aborted)
      return reject(fail("stopped", stoppedText(verb, signal.reason), { reason: signal.reason }));
    const child = spawn("git", withTransportProgram(args), {
      ...(call.cwd && { cwd: call.cwd }),
      env,
      stdio: [call.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      detached: true,
    });
    const group = child.pid;
    if (group !== undefined) watchGroup(group);
    let silence: NodeJS.Timeout | undefined;
    let exited: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (error: GitError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      clearTimeout(exited);
      signal?.removeEventListener("abort", onAbort);
      if (group !== undefined) {
        // Settled without waiting for the kill: a child that ignores it must not hold the caller.
        if (error) killGroup(group, "SIGKILL");
        unwatchGroup(group);
      }
      if (!error) return resolve(Buffer.concat(out));
      reject(error);
    };
    const onAbort = () =>
      settle(fail("stopped", stoppedText(verb, signal?.reason), { reason: signal?.reason }));
    const quiet = () => {
      clearTimeout(silence);
      silence = setTimeout(
        () =>
          settle(
            fail(
              "timeout",
              `git ${verb} timed out: no answer for ${Math.round(timeoutMs / 1000)} s`,
            ),
          ),
        timeoutMs,
      );
    };
    const ended = (code: number | null) => {
      if (code === 0) return settle(null);
      const said = Buffer.concat(err).toString().trim().split("\n")[0]?.trim();
      const why = said || (code === null ? `killed by ${child.signalCode}` : `exit code ${code}`);
      settle(fail("failed", `git ${verb} failed: ${why}`, { code }));
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      out.push(chunk);
      quiet();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err.push(chunk);
      quiet();
    });
    // Not started (ENOENT, EMFILE): said as git's own words would be.
    child.on("error", (e) => {
      err.push(Buffer.from(e.message));
      ended(null);
    });
    child.on("exit", (code) => {
      exited = setTimeout(() => ended(code), EXIT_GRACE_MS);
    });
    child.on("close", ended);
    signal?.addEventListener("abort", onAbort, { once: true });
    // A child that could not be started (EMFILE, ENOENT) has no stdin to write to.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(call.input);
    quiet();
  });
}

/** Where the command is in `git -c a=b -C dir fetch …`, or -1 when there is none. */
function verbIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-c" || arg === "-C") i++;
    else if (!arg.startsWith("-")) return i;
  }
  return -1;
}

/** The command as messages name it: `fetch` of `git -c a=b -C dir fetch …`. */
function verbOf(args: readonly string[]): string {
  return args[verbIndex(args)] ?? args[0] ?? "";
}

/** The arguments with the transport's program named right after the command (TRANSPORT_PROGRAM). */
function withTransportProgram(args: readonly string[]): readonly string[] {
  const at = verbIndex(args);
  const flag = TRANSPORT_PROGRAM.get(args[at] ?? "");
  return flag ? [...args.slice(0, at + 1), flag, ...args.slice(at + 1)] : args;
}

function stoppedText(verb: string, reason: unknown): string {
  return `git ${verb} stopped: ${reason instanceof Error ? reason.message : "cancelled"}`;
}
