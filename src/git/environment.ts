// The environment every git of gitcron runs in (src/git/run.ts starts them): the user's
// variables without those only interactive git uses, no prompt, ssh in batch mode, and config
// given through the environment that overrides any a repository's .git/config sets, so no
// program it names runs; the remote's credentials and the token as config, never in argv or on
// disk. Pure: the user's credential helpers are read by run.ts, which spawns git.

import { withoutUserinfo } from "../text/url-credentials.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** What every git of one remote needs, as the entry point read it. */
export interface GitAccess {
  /** The environment git runs in (PATH, HOME, SSH_AUTH_SOCK…), as the entry point read it. */
  env: Env;
  /** A token for https remotes, sent as HTTP basic auth to the remote's origin only. */
  gitToken?: string;
  /** The remote, credentials and all: git is given them through the environment, while argv
   * and .git/config name it by withoutUserinfo(). */
  remoteUrl?: string;
  /** A command that prints nothing for this long is killed (a fetch prints nothing until it
   * ends, or its progress with --progress). */
  timeoutMs?: number;
}

/** Variables only interactive git uses; gitcron's commands never need them. */
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

/** Config every git gets: no program a repository's folder or config names ever runs (a hook
 * in a repository the agent writes would run with its environment and socket). It is read
 * after the repository's, so each value here overrides one a .git/config sets. */
const SAFE_CONFIG: readonly (readonly [string, string])[] = [
  ["core.hooksPath", "/dev/null"],
  ["core.fsmonitor", "false"],
  // gitcron signs nothing: no signing program runs for a commit, a tag or a signed push.
  ["commit.gpgSign", "false"],
  ["tag.gpgSign", "false"],
  ["push.gpgSign", "false"],
  // A signature (--verify-signatures) is checked by the program git runs by default.
  ["gpg.program", "gpg"],
  ["gpg.ssh.program", "ssh-keygen"],
  ["gpg.x509.program", "gpgsm"],
  // An empty value empties the list: no helper a repository's config names is asked for
  // credentials or given them. The user's own are named again after it (userCredentialHelpers).
  ["credential.helper", ""],
  // An ext:: URL runs a command.
  ["protocol.ext.allow", "never"],
  // gitcron makes no alternates: a fetch lists none of their refs with a command.
  ["core.alternateRefsCommand", "true"],
];

/** The environment every git runs with. `userHelpers`: the user's own credential helpers
 * (userCredentialHelpers), named again after the list is emptied. */
export function gitEnvironment(
  access: Omit<GitAccess, "timeoutMs">,
  userHelpers: readonly ConfigPair[] = [],
): Record<string, string> {
  const { remoteUrl, gitToken } = access;
  const origin = remoteUrl ? httpOrigin(remoteUrl) : null;
  const basic = Buffer.from(`x-access-token:${gitToken}`).toString("base64");
  return withGitConfig(hardenedEnvironment(access.env), [
    ...SAFE_CONFIG,
    ...userHelpers,
    ...remoteCredentialConfig(remoteUrl),
    ...(gitToken && origin
      ? [[`http.${origin}/.extraHeader`, `Authorization: Basic ${basic}`] as const]
      : []),
  ]);
}

export type ConfigPair = readonly [key: string, value: string];

/** The environment without the config gitcron adds. */
export function hardenedEnvironment(given: Env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined && !INTERACTIVE_ONLY.has(key.toUpperCase())) env[key] = value;
  }
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: "0",
    // An askpass program that fails: git gives up instead of asking anyone.
    GIT_ASKPASS: "false",
    SSH_ASKPASS: "false",
    // Messages are matched in English ("couldn't find remote ref").
    LC_ALL: "C",
    // Our repositories are our own: the machine's config sets nothing in them.
    GIT_CONFIG_NOSYSTEM: "1",
  });
  // A command in the environment beats a repository's core.sshCommand; GIT_SSH does not, so
  // it is given as one.
  if (!env.GIT_SSH_COMMAND)
    env.GIT_SSH_COMMAND = env.GIT_SSH ? shellQuoted(env.GIT_SSH) : "ssh -o BatchMode=yes";
  // Set, even empty, it beats every core.gitProxy (the first one git reads wins): git://
  // remotes connect directly unless the user names a proxy here.
  env.GIT_PROXY_COMMAND ??= "";
  return env;
}

/** The scopes of config that are the user's own: their global config (~/.gitconfig, the XDG
 * one, GIT_CONFIG_GLOBAL) and the config their environment gives (GIT_CONFIG_COUNT,
 * GIT_CONFIG_PARAMETERS). Not a repository's (local, worktree), nor the machine's (system,
 * which no git of gitcron reads). */
const USER_SCOPES = new Set(["global", "command"]);

/** One entry of `git config --null --show-scope --get-regexp`: where it is set (`local`,
 * `global`…, an included file's entries named by the scope of the file that includes it), its
 * key as git writes it (section and name lower case, the URL as written) and its value. */
export interface ScopedConfig {
  scope: string;
  key: string;
  value: string;
}

/** `git config --null --show-scope --get-regexp` output: scope NUL key LF value NUL, and
 * scope NUL key NUL for a key without a value (left out: no helper or header is one). */
export function parseScopedConfig(out: string): ScopedConfig[] {
  const fields = out.split("\0");
  const entries: ScopedConfig[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const entry = fields[i + 1] as string;
    const newline = entry.indexOf("\n");
    if (newline >= 0)
      entries.push({
        scope: fields[i] as string,
        key: entry.slice(0, newline),
        value: entry.slice(newline + 1),
      });
  }
  return entries;
}

/** The user's credential helpers among `git config --null --show-scope --get-regexp` output
 * (git refuses a helper without a value: left out). Given back as command-line config, a key
 * as git writes it is split by git at its first and last dot: the same subsection. */
export function parseUserHelpers(out: string): ConfigPair[] {
  return parseScopedConfig(out)
    .filter(
      ({ scope, key }) =>
        USER_SCOPES.has(scope) && key.startsWith("credential.") && key.endsWith(".helper"),
    )
    .map(({ key, value }) => [key, value] as const);
}

/** Git config that gives git a remote's credentials by rewriting the URL without them into the
 * whole one (`url.<whole>.insteadOf`): .git/config and argv hold the URL without them, so no
 * credential is on disk or shown by `ps`. None for a URL without any. */
function remoteCredentialConfig(url: string | undefined): [string, string][] {
  if (!url) return [];
  const bare = withoutUserinfo(url);
  return bare === url ? [] : [[`url.${url}.insteadOf`, bare]];
}

/** Adds config to an environment (GIT_CONFIG_KEY_n / _VALUE_n), after any the user set: it
 * reaches this process only, and a token in it is not on the command line for `ps`. */
function withGitConfig(
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

/** `env` with this config added after any it gives already: for settings a caller carries into
 * git's environment from elsewhere, never onto disk or a command line. The runner adds its own
 * after these. A copy. */
export function envWithConfig(env: Env, pairs: readonly ConfigPair[]): Env {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) copy[key] = value;
  return withGitConfig(copy, pairs);
}

const shellQuoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function httpOrigin(url: string): string | null {
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}
