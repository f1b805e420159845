// The source's git: the one runner (src/git/run.ts) for one remote, its failures made
// SourceErrors that say why in the user's terms, credentials removed.

import { sanitize } from "../errors.js";
import { type Git, type GitAccess, type GitError, gitRunner } from "../git/run.js";
import { SourceError, wrongSettingOf } from "./source-error.js";

/** A git command that ran and failed; `output` is what it printed, credentials removed. */
export class GitCommandError extends SourceError {
  readonly output: string;
  constructor(message: string, options: { output: string }) {
    const wrongSetting = wrongSettingOf(options.output);
    super(message, { retryable: true, ...(wrongSetting && { wrongSetting }) });
    this.output = options.output;
  }
}

/** git for the source's remote, whose every failure is a retryable SourceError. */
export function createGitRunner(access: GitAccess & { remoteUrl: string }): Git {
  const secrets = access.gitToken ? [access.gitToken] : [];
  return gitRunner(access, { mapError: (err) => toSourceError(err, secrets) });
}

function toSourceError(err: GitError, secrets: string[]): SourceError {
  const { kind, verb, code, stderr, output, reason } = err.details;
  if (kind === "stopped") {
    const why =
      reason instanceof Error && reason.name === "TimeoutError"
        ? "the sync's deadline passed"
        : "the sync was cancelled";
    return new SourceError(`git ${verb} stopped: ${why}`, { retryable: true });
  }
  if (kind === "timeout") return new SourceError(err.message, { retryable: true });
  // A failure that printed nothing still says something (verify-commit, merge-base).
  const said = stderr ? output : `git exited with code ${code}`;
  return new GitCommandError(`git ${verb} failed: ${gitReason(said, secrets)}`, {
    output: sanitize(said, secrets),
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
