// Runs the real `git` binary through simple-git, for one remote: no prompts ever, the token as
// a per-process header (never in .git/config), every command bounded by a silence timeout and
// by the caller's deadline signal. Failures become SourceErrors with credentials removed.

import { simpleGit } from "simple-git";
import { sanitize } from "../errors.js";
import { withoutUserinfo } from "../text/url-credentials.js";
import { SourceError, wrongSettingOf } from "./source-error.js";

export interface GitRunnerOptions {
  /** The remote, for the token's scope. */
  url: string;
  gitToken?: string;
  /** Kill a command that prints nothing for this long (network commands print progress). */
  silenceTimeoutMs: number;
  /** The environment git runs in, as the entry point read it (PATH, HOME, SSH_AUTH_SOCK…). */
  env: NodeJS.ProcessEnv;
}

export interface GitCommand {
  args: string[];
  /** Working directory; omitted for commands that need no repository (ls-remote). */
  cwd?: string;
  /** Aborts the command: the sync's hard deadline or the agent's shutdown. */
  signal: AbortSignal;
}

/** A git command that ran and failed; `output` is what it printed, credentials removed. */
export class GitCommandError extends SourceError {
  readonly output: string;
  constructor(message: string, options: { output: string }) {
    const wrongSetting = wrongSettingOf(options.output);
    super(message, { retryable: true, ...(wrongSetting && { wrongSetting }) });
    this.output = options.output;
  }
}

/** Variables only interactive git uses; a fetch never needs them. */
const INTERACTIVE_ONLY = new Set([
  "EDITOR",
  "VISUAL",
  "GIT_EDITOR",
  "GIT_SEQUENCE_EDITOR",
  "PAGER",
  "GIT_PAGER",
  "GIT_EXTERNAL_DIFF",
  "GIT_TEMPLATE_DIR",
]);

export type GitRunner = (command: GitCommand) => Promise<string>;

export function createGitRunner(options: GitRunnerOptions): GitRunner {
  const env = gitEnvironment(options, options.env);
  const secrets = options.gitToken ? [options.gitToken] : [];
  return async ({ args, cwd, signal }) => {
    const git = simpleGit({
      ...(cwd && { baseDir: cwd }),
      timeout: { block: options.silenceTimeoutMs },
      abort: signal,
      // By default simple-git calls a non-zero exit with nothing on stderr a success, which
      // would pass an unsigned commit (verify-commit) or a non-ancestor (merge-base).
      errors: (error, result) =>
        error ??
        (result.exitCode === 0
          ? undefined
          : Buffer.concat([
              ...result.stdErr,
              Buffer.from(`git exited with code ${result.exitCode}`),
            ])),
      // These checks guard against hostile arguments; ours are built here, and the variables
      // they flag (askpass, config count, the user's own ssh command) are set on purpose.
      unsafe: {
        allowUnsafeAskPass: true,
        allowUnsafeConfigEnvCount: true,
        allowUnsafeSshCommand: true,
        allowUnsafeConfigPaths: true,
        allowUnsafeGitProxy: true,
        // Set by us to /dev/null: hooks off, not on.
        allowUnsafeHooksPath: true,
      },
    }).env(env);
    let onAbort: (() => void) | undefined;
    // A child that ignores its kill (a grandchild holding the pipe) must not hold the sync.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      signal.throwIfAborted();
      return await Promise.race([git.raw(args), aborted]);
    } catch (err) {
      throw toSourceError(args[0] ?? "git", err, signal, options.silenceTimeoutMs, secrets);
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
  };
}

/** The environment every git command runs with. Exported for tests. */
export function gitEnvironment(
  options: Pick<GitRunnerOptions, "url" | "gitToken">,
  base: NodeJS.ProcessEnv,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !INTERACTIVE_ONLY.has(key.toUpperCase())) env[key] = value;
  }
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: "0",
    // An askpass program that fails: git gives up instead of asking anyone.
    GIT_ASKPASS: "false",
    SSH_ASKPASS: "false",
    LC_ALL: "C",
  });
  if (!env.GIT_SSH_COMMAND && !env.GIT_SSH) env.GIT_SSH_COMMAND = "ssh -o BatchMode=yes";
  const origin = httpOrigin(options.url);
  const basic = Buffer.from(`x-access-token:${options.gitToken}`).toString("base64");
  return withGitConfig(env, [
    ...AGENT_GIT_CONFIG,
    ...remoteCredentialConfig(options.url),
    ...(options.gitToken && origin
      ? [[`http.${origin}/.extraHeader`, `Authorization: Basic ${basic}`] as const]
      : []),
  ]);
}

/** Git config (for withGitConfig) that gives git a remote's credentials by rewriting the URL
 * without them into the whole one (`url.<whole>.insteadOf`): .git/config and argv hold the URL
 * without them, so no credential is on disk or shown by `ps`. None for a URL without any. */
export function remoteCredentialConfig(url: string | undefined): [string, string][] {
  if (!url) return [];
  const bare = withoutUserinfo(url);
  return bare === url ? [] : [[`url.${url}.insteadOf`, bare]];
}

/** Settings every git the agent runs gets: no hook ever runs, whatever a folder's .git holds
 * (a hook in a repository the agent writes would run with its environment and socket). */
export const AGENT_GIT_CONFIG: readonly (readonly [string, string])[] = [
  ["core.hooksPath", "/dev/null"],
];

/** Adds config to an environment (GIT_CONFIG_KEY_n / _VALUE_n): it reaches this process only,
 * nothing is written to .git/config, and a token in it is not on the command line for `ps`. */
export function withGitConfig(
  env: Record<string, string>,
  pairs: readonly (readonly [string, string])[],
): Record<string, string> {
  let index = Number.parseInt(env.GIT_CONFIG_COUNT ?? "0", 10) || 0;
  for (const [key, value] of pairs) {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
    index++;
  }
  env.GIT_CONFIG_COUNT = String(index);
  return env;
}

function httpOrigin(url: string): string | null {
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

function toSourceError(
  verb: string,
  err: unknown,
  signal: AbortSignal,
  silenceTimeoutMs: number,
  secrets: string[],
): SourceError {
  if (signal.aborted) {
    const reason =
      signal.reason instanceof Error && signal.reason.name === "TimeoutError"
        ? "the sync's deadline passed"
        : "the sync was cancelled";
    return new SourceError(`git ${verb} stopped: ${reason}`, { retryable: true });
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/block timeout reached/.test(message)) {
    return new SourceError(
      `git ${verb} timed out: no answer for ${Math.round(silenceTimeoutMs / 1000)} s`,
      { retryable: true },
    );
  }
  return new GitCommandError(`git ${verb} failed: ${gitReason(message, secrets)}`, {
    output: sanitize(message, secrets),
  });
}

/** Lines git adds around the real reason of a failed network command. */
const BOILERPLATE = [
  /^fatal: Could not read from remote repository\.?$/,
  /^Please make sure you have the correct access rights$/,
  /^and the repository exists\.?$/,
  /^git exited with code \d+$/,
];

/** The line of git's output that says what went wrong ("fatal: …"), credentials removed, with
 * a hint when it is about credentials. */
export function gitReason(output: string, secrets: string[] = []): string {
  const lines = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !BOILERPLATE.some((re) => re.test(line)));
  const line =
    lines.find((l) => /^fatal:/.test(l)) ??
    lines.find((l) => /^error:/.test(l)) ??
    lines[0] ??
    output.trim().split("\n").pop() ??
    "unknown error";
  const reason = sanitize(line.replace(/^(fatal|error): /, ""), secrets);
  return /could not read Username|Authentication failed|Permission denied \(publickey/i.test(reason)
    ? `${reason} (give credentials with GITCRON_GIT_TOKEN, in the URL, or as SSH keys git can find)`
    : reason;
}
