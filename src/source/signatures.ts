// --verify-signatures: a revision is applied only if its head commit carries an SSH signature
// by a key of the allowed-signers file, as `git verify-commit` decides it.

import { access } from "node:fs/promises";
import type { Git } from "../git/run.js";
import { GitCommandError } from "./git-runner.js";
import { SourceError } from "./source-error.js";

export interface VerifyOptions {
  git: Git;
  cwd: string;
  sha: string;
  allowedSigners: string;
  signal: AbortSignal;
}

/** Resolves if `sha` is signed by an allowed key; otherwise rejects, non-retryable, saying why. */
export async function verifyHeadCommit(options: VerifyOptions): Promise<void> {
  const { git, cwd, sha, allowedSigners, signal } = options;
  const short = sha.slice(0, 12);
  try {
    await access(allowedSigners);
  } catch {
    throw new SourceError(
      `cannot read the allowed-signers file ${allowedSigners} (--verify-signatures): no revision is applied until it exists`,
      { retryable: false },
    );
  }
  try {
    await git(
      [
        "-c",
        "gpg.format=ssh",
        "-c",
        `gpg.ssh.allowedSignersFile=${allowedSigners}`,
        "verify-commit",
        sha,
      ],
      { cwd, signal },
    );
  } catch (err) {
    if (!(err instanceof GitCommandError)) throw err;
    const raw = err.output;
    const commit = await git(["cat-file", "commit", sha], { cwd, signal });
    if (!/^gpgsig /m.test(commit)) {
      throw new SourceError(
        `head commit ${short} is not signed; --verify-signatures accepts only commits signed by a key in ${allowedSigners}`,
        { retryable: false },
      );
    }
    if (/No principal matched/.test(raw)) {
      const key = /key (SHA256:\S+)/.exec(raw)?.[1];
      throw new SourceError(
        `head commit ${short} is signed by ${key ? `key ${key}` : "a key"} that is not in ${allowedSigners}`,
        { retryable: false },
      );
    }
    throw new SourceError(
      `head commit ${short} has a signature that does not verify against ${allowedSigners}: ${firstLine(raw)}`,
      { retryable: false },
    );
  }
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? "verification failed"
  );
}
