// What the status branch and the lease write with git: commits of our own identity, and the
// one line a git failure is logged as.

import { oneLine } from "../errors.js";
import type { Git } from "../git/run.js";

/** The id of the empty tree, which every Git repository knows without storing it. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
/** Author and committer of every commit gitcron makes. */
export const COMMITTER = "gitcron <gitcron@localhost>";

/** A git failure as one line with credentials and the token removed. */
export function gitErrorText(err: unknown, access: { gitToken?: string } = {}): string {
  return oneLine(err, access.gitToken ? [access.gitToken] : []);
}

/** A parentless commit of the empty tree saying `message`, made at `at`, written to the
 * repository `git` works in: a ref's content when only the ref's moves matter (the lease). */
export async function emptyTreeCommit(git: Git, message: string, at: Date): Promise<string> {
  const stamp = `${COMMITTER} ${Math.floor(at.getTime() / 1000)} +0000`;
  const text = `tree ${EMPTY_TREE}\nauthor ${stamp}\ncommitter ${stamp}\n\n${message}`;
  const id = await git(["hash-object", "-t", "commit", "-w", "--stdin"], { input: text });
  return id.trim();
}
