// One way to call git for the status branch: a time limit on every command, no prompt that
// could hang the agent, the token passed in the environment (never in argv or on disk), and
// errors whose text is safe to log.

import { type SimpleGit, simpleGit } from "simple-git";
import { oneLine } from "../errors.js";

export interface GitAccess {
  /** A token for https remotes, sent as HTTP basic auth; never written to disk or argv. */
  gitToken?: string;
  /** A command that prints nothing for this long is killed. */
  timeoutMs?: number;
}

export const DEFAULT_GIT_TIMEOUT_MS = 60_000;

export function gitIn(dir: string, access: GitAccess = {}): SimpleGit {
  const env: Record<string, string | undefined> = {
    ...process.env,
    GIT_TERMINAL_PROMPT: "0",
    // The status clone is ours alone: no hooks, no editor, no global identity needed.
    GIT_CONFIG_NOSYSTEM: "1",
  };
  if (access.gitToken) {
    const basic = Buffer.from(`x-access-token:${access.gitToken}`).toString("base64");
    Object.assign(env, {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    });
  }
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
      allowUnsafeTemplateDir: true,
      allowUnsafeDiffExternal: true,
    },
  }).env(env);
}

/** A git failure as one line with credentials and the token removed. */
export function gitErrorText(err: unknown, access: GitAccess = {}): string {
  return oneLine(err, access.gitToken ? [access.gitToken] : []);
}
