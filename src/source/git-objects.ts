// Job files as Git holds them, never as a working tree shows them (SPEC §4, "Files"): each
// entry's mode says whether it is a regular file, a link or a submodule, and only the blobs of
// regular files within the size cap are ever read. A link is data about the repository, not
// a path to open.

import { spawn } from "node:child_process";
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

/** `<oid> blob <size>\n<content>\n`, repeated; `<oid> missing\n` for an unknown object. */
export function parseBatch(output: Buffer): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  let at = 0;
  while (at < output.length) {
    const newline = output.indexOf(0x0a, at);
    if (newline < 0) break;
    const [oid, type, size] = output.subarray(at, newline).toString().split(" ");
    at = newline + 1;
    if (type === "missing" || size === undefined) continue;
    const length = Number(size);
    if (!oid || !Number.isSafeInteger(length) || at + length > output.length)
      throw new SourceError("git cat-file printed something unexpected", { retryable: true });
    if (type === "blob") blobs.set(oid, output.subarray(at, at + length));
    at += length + 1;
  }
  return blobs;
}

export interface RevisionFiles {
  /** Every entry named like a job file, relative to the jobs path, sorted. */
  files: string[];
  /** Reads the blobs of these files now, in one batch, so that read() needs no git. */
  prefetch(paths: readonly string[]): Promise<void>;
  read(path: string): Promise<JobFileContent>;
}

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
  const readable = (paths: readonly string[]) =>
    paths.flatMap((path) => {
      const entry = entries.get(path);
      return entry && !refusalOf(entry) && !blobs.has(entry.oid) ? [entry.oid] : [];
    });
  const load = async (oids: string[], signal: AbortSignal) => {
    for (const [oid, data] of await readBlobs(oids, { ...options.batch, signal }))
      blobs.set(oid, data);
  };
  return {
    files: [...entries.keys()],
    prefetch: (paths) => load(readable(paths), options.signal),
    async read(path) {
      const entry = entries.get(path);
      if (!entry) return refuse.unreadable("it is not in this revision");
      const refusal = refusalOf(entry);
      if (refusal) return refusal;
      if (!blobs.has(entry.oid))
        await load([entry.oid], AbortSignal.timeout(options.readTimeoutMs));
      const blob = blobs.get(entry.oid);
      return blob ? { text: blob.toString("utf8") } : refuse.unreadable("its blob is missing");
    },
  };
}
