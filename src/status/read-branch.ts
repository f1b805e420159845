// Reading the tip of a status branch from anywhere: only that commit and its trees are fetched
// (a shallow, blob-less fetch into a throwaway bare repository: the journal of 90 days is not
// downloaded), and the files a reader asks for are fetched in one request and read from Git's
// objects through one `git cat-file --batch`. A server that does not filter sends the whole tip,
// and everything still works. `gitcron plan`, `status`, `logs` and the agent read it so.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvironmentError } from "../errors.js";
import { fetchBlobs, readBlobs } from "../git/batch.js";
import { type GitAccess, gitRunner } from "../git/run.js";
import { withoutUserinfo } from "../text/url-credentials.js";
import { gitErrorText } from "./git.js";

export interface BranchTip {
  /** The commit read. */
  commit: string;
  /** Every file path at the tip. */
  paths: string[];
  /** Files' contents by path; paths that are not there are left out. */
  read(paths: readonly string[]): Promise<Map<string, string>>;
}

export interface ReadBranchOptions extends Omit<GitAccess, "remoteUrl"> {
  /** Where the temporary repository goes; default: the system temp folder. */
  tmpDir?: string;
}

/** Calls `use` with the tip of `branch`, or with null when the branch does not exist. Throws
 * EnvironmentError, one sentence without credentials, when the remote cannot be read; its
 * cause is git's GitError. */
export async function withBranchTip<T>(
  repoUrl: string,
  branch: string,
  options: ReadBranchOptions,
  use: (tip: BranchTip | null) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), "gitcron-status-"));
  try {
    const git = gitRunner({ ...options, remoteUrl: repoUrl }, { cwd: dir });
    // Named without its credentials: git gets them from its environment.
    const remote = withoutUserinfo(repoUrl);
    await git(["init", "--quiet", "--bare"]);
    let exists: string;
    try {
      exists = await git(["ls-remote", "--", remote, `refs/heads/${branch}`]);
    } catch (err) {
      throw new EnvironmentError(
        `cannot read the status branch "${branch}": ${gitErrorText(err, options)}`,
        { cause: err },
      );
    }
    if (exists.trim() === "") return await use(null);
    try {
      await git([
        "fetch",
        "--depth=1",
        "--no-tags",
        "--filter=blob:none",
        "--",
        remote,
        `refs/heads/${branch}`,
      ]);
    } catch (err) {
      throw new EnvironmentError(
        `cannot fetch the status branch "${branch}": ${gitErrorText(err, options)}`,
        { cause: err },
      );
    }
    const commit = (await git(["rev-parse", "FETCH_HEAD^{commit}"])).trim();
    const listing = await git(["ls-tree", "-r", "-z", commit]);
    const objects = new Map<string, string>();
    for (const record of listing.split("\0")) {
      const match = /^\d{6} blob ([0-9a-f]+)\t(.*)$/s.exec(record);
      if (match) objects.set(match[2] as string, match[1] as string);
    }
    return await use({
      commit,
      paths: [...objects.keys()].sort(),
      async read(paths) {
        const wanted = paths.flatMap((p) => {
          const oid = objects.get(p);
          return oid ? [[p, oid] as const] : [];
        });
        const oids = [...new Set(wanted.map(([, oid]) => oid))];
        // One request for them all; should it fail, reading fetches each one on its own.
        await fetchBlobs(git, remote, oids).catch(() => undefined);
        const blobs = await readBlobs(git, oids);
        return new Map(
          wanted.flatMap(([p, oid]) => {
            const blob = blobs.get(oid);
            return blob ? [[p, blob.toString("utf8")] as const] : [];
          }),
        );
      },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
