/** What a remote's answer says is wrong with the agent's own settings: no such repository,
 * no such branch, credentials refused. Unlike a remote that is down, this does not heal by
 * waiting; an agent with no jobs to keep running stops at start-up (SPEC §3, "Start-up"). */
export type WrongSetting = "repository" | "branch" | "credentials";

/** A sync that failed. `retryable`: the remote may come back (back off and retry); otherwise
 * retrying the same revision cannot help (an unsigned head commit): keep the last good one. */
export class SourceError extends Error {
  override name = "SourceError";
  readonly retryable: boolean;
  readonly wrongSetting: WrongSetting | undefined;
  constructor(message: string, options: { retryable: boolean; wrongSetting?: WrongSetting }) {
    super(message);
    this.retryable = options.retryable;
    this.wrongSetting = options.wrongSetting;
  }
}

/** Git's words for a remote that answered "no" to our settings (file, https and ssh remotes;
 * GitHub, GitLab and Gitea phrase them so). Network failures are not here: they heal. */
export function wrongSettingOf(gitOutput: string): WrongSetting | undefined {
  if (
    /could not read (Username|Password)|Authentication failed|Permission denied \(publickey|returned error: 40[13]|Host key verification failed|invalid credentials/i.test(
      gitOutput,
    )
  )
    return "credentials";
  if (/couldn't find remote ref/i.test(gitOutput)) return "branch";
  if (
    /does not appear to be a git repository|repository '[^']*' not found|Repository not found|returned error: 404|not a git repository/i.test(
      gitOutput,
    )
  )
    return "repository";
  return undefined;
}
