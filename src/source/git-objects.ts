// Job files as Git holds them, never as a working tree shows them (SPEC §4, "Files"): each
// entry's mode says whether it is a regular file, a link or a submodule, and only the blobs of
// regular files within the size cap are ever read. A link is data about the repository, not
// a path to open.

import { spawn } from "node:child_process";
import { type BatchEntry, batchEntries } from "../git/batch.js";
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

export interface BatchOptions {
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
}

/** The contents of `oids` from one `git cat-file --batch`: one process for any number of
 * files (a first sync of 20,000 jobs is one spawn, not 20,000). */
export function readBlobs(
  oids: readonly string[],
  options: BatchOptions,
): Promise<Map<string, Buffer>> {
  if (oids.length === 0) return Promise.resolve(new Map());
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      signal: options.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (e) =>
      reject(new SourceError(`git cat-file failed: ${e.message}`, { retryable: true })),
    );
    child.on("close", (code) => {
      if (code !== 0) {
        const why = Buffer.concat(err).toString().trim().split("\n")[0] || `exit code ${code}`;
        reject(new SourceError(`git cat-file failed: ${why}`, { retryable: true }));
        return;
      }
      try {
        resolve(parseBatch(Buffer.concat(out)));
      } catch (e) {
        reject(e);
      }
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${oids.join("\n")}\n`);
  });
}

/** The blobs of a batch's output by id; other objects and unknown names left out. */
export function parseBatch(output: Buffer): Map<string, Buffer> {
  let entries: BatchEntry[];
  try {
    entries = batchEntries(output);
  } catch (err) {
    throw new SourceError((err as Error).message, { retryable: true });
  }
  const blobs = new Map<string, Buffer>();
  for (const e of entries) if (e.type === "blob" && e.content) blobs.set(e.oid, e.content);
  return blobs;
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
  listTree: (args: string[]) => Promise<string>;
  batch: Omit<BatchOptions, "signal">;
  sha: string;
  jobsPath: string;
  signal: AbortSignal;
  /** How long reading one late blob may take (read() of a file that was not prefetched). */
  readTimeoutMs: number;
}): Promise<RevisionFiles> {
  const pathspec = options.jobsPath === "." ? [] : [options.jobsPath];
  const tree = await options.listTree([
    "ls-tree",
    "-r",
    "-z",
    "-l",
    options.sha,
    "--",
    ...pathspec,
  ]);
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
        for (const [oid, data] of await readBlobs(batchFrom(entry), { ...options.batch, signal }))
          blobs.set(oid, data);
      }
      const blob = blobs.get(entry.oid);
      // Read once: what a batch brought is let go as soon as its file is parsed.
      blobs.delete(entry.oid);
      return blob ? { text: blob.toString("utf8") } : refuse.unreadable("its blob is missing");
    },
  };
}
