// A plain folder as a source: rescanned on every sync, watched with chokidar so an edit is
// applied at once. The revision is a digest of the job files' paths and contents, so an edit
// that is undone gives the old revision back. Only regular files are read (never through a
// link, never a device or FIFO); anything else named like a job file is refused by name.

import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { watch as watchFolder } from "chokidar";
import { type JobFileContent, readJobFileFromDisk } from "../jobs/job-file.js";
import { isJobFile } from "./job-files.js";
import type { JobFileChange, Snapshot, Source, SourceOptions } from "./source.js";
import { SourceError } from "./source-error.js";

export interface FolderSourceOptions extends SourceOptions {
  folder: string;
  jobsPath: string;
}

const DEFAULT_DEBOUNCE_MS = 200;

export interface FolderSource extends Source {
  /** Resolves once every watcher has read the tree: file events after this are seen. */
  watching(): Promise<void>;
}

export function createFolderSource(options: FolderSourceOptions): FolderSource {
  const root = join(options.folder, options.jobsPath);
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const unsubscribers = new Set<() => Promise<void>>();
  const ready = new Set<Promise<void>>();
  // The previous sync's digests, to tell what changed since its revision.
  let last: { revision: string; digests: Map<string, string> } | null = null;

  const sync = async (since: string | null): Promise<Snapshot> => {
    const contents = await readJobFiles(root);
    const digests = new Map([...contents].map(([path, content]) => [path, digestOf(content)]));
    const revision = revisionOf(digests);
    const previous = last && since === last.revision ? last.digests : null;
    last = { revision, digests };
    const files = [...digests.keys()];
    const changes = previous
      ? diffDigests(previous, digests)
      : files.map((path): JobFileChange => ({ path, kind: "added" }));
    // What was read for the digest is what is parsed: the file cannot change in between.
    const read = async (path: string) =>
      contents.get(path) ?? readJobFileFromDisk(join(root, path));
    return { revision, files, changes, read };
  };

  const watch = (onChange: () => void): (() => void) => {
    let timer: NodeJS.Timeout | undefined;
    const fire = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    };
    const watcher = watchFolder(root, {
      ignoreInitial: true,
      ignored: (path, stats) => {
        const relative = path.slice(root.length + 1).replaceAll("\\", "/");
        if (relative === "") return false;
        if (relative.split("/").some((part) => part.startsWith("."))) return true;
        return stats?.isFile() === true && !isJobFile(relative);
      },
    });
    const isReady = new Promise<void>((done) => watcher.once("ready", done));
    ready.add(isReady);
    watcher.on("all", (event, path) => {
      // A removed folder may have held job files; a removed file is checked by name.
      if (event === "unlinkDir" || event === "addDir" || isJobFile(path.slice(root.length + 1)))
        fire();
    });
    watcher.on("error", (err) =>
      options.logger.warn({ err: String(err) }, "watching the jobs folder failed"),
    );
    const unsubscribe = async () => {
      clearTimeout(timer);
      unsubscribers.delete(unsubscribe);
      ready.delete(isReady);
      await watcher.close();
    };
    unsubscribers.add(unsubscribe);
    return () => void unsubscribe();
  };

  return {
    description: `folder ${root}`,
    sync,
    watch,
    async watching() {
      await Promise.all(ready);
    },
    async close() {
      await Promise.all([...unsubscribers].map((unsubscribe) => unsubscribe()));
    },
  };
}

/** Every entry below root named like a job file (dot-folders skipped), read or refused. */
async function readJobFiles(root: string): Promise<Map<string, JobFileContent>> {
  try {
    const info = await stat(root);
    if (!info.isDirectory()) throw new Error("not a folder");
  } catch (err) {
    throw new SourceError(`the jobs folder ${root} cannot be read: ${reason(err)}`, {
      retryable: true,
    });
  }
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) =>
      join(entry.parentPath, entry.name)
        .slice(root.length + 1)
        .replaceAll("\\", "/"),
    )
    .filter(isJobFile)
    .sort();
  const contents = new Map<string, JobFileContent>();
  for (const path of paths) {
    const content = readJobFileFromDisk(join(root, path));
    // Deleted between the listing and the read: it is not part of this revision.
    if ("refused" in content && /ENOENT/.test(content.refused.message)) continue;
    contents.set(path, content);
  }
  return contents;
}

const digestOf = (content: JobFileContent): string =>
  createHash("sha256")
    .update("text" in content ? `text\0${content.text}` : `refused\0${content.refused.rule}`)
    .digest("hex");

function revisionOf(digests: Map<string, string>): string {
  const hash = createHash("sha256");
  for (const [path, digest] of digests) hash.update(`${path}\0${digest}\n`);
  return `folder:${hash.digest("hex")}`;
}

function diffDigests(before: Map<string, string>, after: Map<string, string>): JobFileChange[] {
  const changes: JobFileChange[] = [];
  for (const [path, digest] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push({ path, kind: "added" });
    else if (old !== digest) changes.push({ path, kind: "modified" });
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push({ path, kind: "deleted" });
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "it does not exist" : err instanceof Error ? err.message : String(err);
}
