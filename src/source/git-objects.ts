// Job files as Git holds them, never as a working tree shows them (SPEC §4, "Files"): each
// entry's mode says whether it is a regular file, a link or a submodule, and only the blobs of
// regular files within the size cap are ever read. A link is data about the repository, not
// a path to open.

import { readBlobs } from "../git/batch.js";
import type { Git } from "../git/run.js";
import { type JobFileContent, refuse } from "../jobs/job-file.js";
import { DEFAULT_MAX_BYTES } from "../jobs/parse.js";
import { isJobFile, relativeToJobsPath } from "./job-files.js";
import { SourceError } from "./source-error.js";

export interface TreeEntry {
  /** `100644`, `100755` (regular files), `120000` (a link), `160000` (a submodule). */
  mode: string;
  oid: string;
  /** Bytes of a blob; null for a submodule. */
  size: number | null;
}

const ENTRY = /^(\d{6}) (blob|commit|tree) ([0-9a-f]{40,64}) +(-|\d+)\t(.*)$/s;

/** `git ls-tree -r -z -l <sha> -- <jobs path>` → the job-file entries by path relative to the
 * jobs path, in code-unit order. */
export function jobEntriesFromTree(output: string, jobsPath: string): Map<string, TreeEntry> {
  const entries: [string, TreeEntry][] = [];
  for (const record of output.split("\0")) {
    const match = ENTRY.exec(record);
    if (!match) continue;
    const [, mode, , oid, size, repoPath] = match as unknown as string[];
    const path = relativeToJobsPath(repoPath as string, jobsPath);
    if (!path || !isJobFile(path)) continue;
    entries.push([
      path,
      { mode: mode as string, oid: oid as string, size: size === "-" ? null : Number(size) },
    ]);
  }
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What an entry can be, before any blob is read: a refusal, or null for a readable blob. */
export function refusalOf(entry: TreeEntry, maxBytes = DEFAULT_MAX_BYTES): JobFileContent | null {
  if (entry.mode === "120000") return refuse.symlink();
  if (entry.mode === "160000") return refuse.submodule();
  if (entry.mode !== "100644" && entry.mode !== "100755") return refuse.notRegular("this entry");
  if (entry.size !== null && entry.size > maxBytes) return refuse.size(maxBytes);
  return null;
}

export interface RevisionFiles {
  /** Every entry named like a job file, relative to the jobs path, sorted. */
  files: string[];
  /** These files will be read, in this order: their blobs come in batches of a few MB, one
   * git process a batch, each kept only until it is read. */
  prefetch(paths: readonly string[]): Promise<void>;
  read(path: string): Promise<JobFileContent>;
}

/** Bytes of blobs one batch reads ahead: a revision of 4,000 files of 250 KB (a 500 KB
 * repository, they compress well) read at once took the agent to 3.8 GB. */
export const BATCH_BYTES = 8 * 1024 * 1024;

/** The job files of commit `sha` in a (bare) repository, from its objects: the agent's source
 * and `gitcron plan` read a revision through this one function. */
export async function revisionFiles(options: {
  git: Git;
  /** The repository. */
  cwd: string;
  sha: string;
  jobsPath: string;
  signal: AbortSignal;
  /** How long reading one late blob may take (read() of a file that was not prefetched). */
  readTimeoutMs: number;
}): Promise<RevisionFiles> {
  const pathspec = options.jobsPath === "." ? [] : [options.jobsPath];
  const { git, cwd } = options;
  const tree = await git(["ls-tree", "-r", "-z", "-l", options.sha, "--", ...pathspec], {
    cwd,
    signal: options.signal,
  });
  const entries = jobEntriesFromTree(tree, options.jobsPath);
  const blobs = new Map<string, Buffer>();
  // Blobs announced by prefetch and not read yet, in the order they will be read.
  let ahead: TreeEntry[] = [];
  /** The next batch: `first`, then what is announced after it, up to BATCH_BYTES. */
  const batchFrom = (first: TreeEntry): string[] => {
    const oids = [first.oid];
    let bytes = first.size ?? 0;
    const at = ahead.findIndex((e) => e.oid === first.oid);
    const rest = at >= 0 ? ahead.slice(at + 1) : [];
    let taken = 0;
    for (const entry of rest) {
      if (bytes + (entry.size ?? 0) > BATCH_BYTES) break;
      bytes += entry.size ?? 0;
      if (!blobs.has(entry.oid)) oids.push(entry.oid);
      taken++;
    }
    if (at >= 0) ahead = ahead.slice(at + 1 + taken);
    return oids;
  };
  return {
    files: [...entries.keys()],
    async prefetch(paths) {
      ahead = paths.flatMap((path) => {
        const entry = entries.get(path);
        return entry && !refusalOf(entry) ? [entry] : [];
      });
    },
    async read(path) {
      const entry = entries.get(path);
      if (!entry) return refuse.unreadable("it is not in this revision");
      const refusal = refusalOf(entry);
      if (refusal) return refusal;
      if (!blobs.has(entry.oid)) {
        const announced = ahead.some((e) => e.oid === entry.oid);
        const signal = announced
          ? options.signal
          : AbortSignal.any([options.signal, AbortSignal.timeout(options.readTimeoutMs)]);
        const read = await readBlobs(git, batchFrom(entry), { cwd, signal }).catch(retryable);
        for (const [oid, data] of read) blobs.set(oid, data);
      }
      const blob = blobs.get(entry.oid);
      // Read once: what a batch brought is let go as soon as its file is parsed.
      blobs.delete(entry.oid);
      return blob ? { text: blob.toString("utf8") } : refuse.unreadable("its blob is missing");
    },
  };
}

/** A blob reader's failure fails the sync, to be retried, rather than reject the file: git's
 * own failures are SourceErrors already (the source's runner), output it cannot read is not. */
function retryable(err: unknown): never {
  if (err instanceof SourceError) throw err;
  throw new SourceError((err as Error).message, { retryable: true });
}
