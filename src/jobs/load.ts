// Reads job files from disk (or any fs with the same promises API, e.g. memfs)
// and checks what only the whole tree can tell: unique names.

import * as nodeFs from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import type { Issue } from "./issues.js";
import { type FileSystem, parseJobContent, readJobFileFromDisk } from "./job-file.js";
import type { ParseOptions } from "./parse.js";
import { createScheduleChecks } from "./schedule-checks.js";
import type { JobSpec } from "./spec.js";

/** node:fs, or memfs in tests. Synchronous: job files are small and read one after another by
 * a command with nothing else to do, and a thread-pool round trip per call costs more than the
 * call (10,000 files: 1.1 s of CPU instead of 1.85 s on 2 cores). */
export type Fs = FileSystem & Pick<typeof nodeFs, "readdirSync" | "statSync">;

export interface LoadOptions extends Omit<ParseOptions, "specFile"> {
  fs?: Fs;
  /** Paths are resolved against, and issues named relative to, this folder. Default: process.cwd(). */
  cwd?: string;
}

export interface LoadedTree {
  specs: JobSpec[];
  issues: Issue[];
  /** Every job file read, as named in issues. */
  files: string[];
}

/** Reads and parses one file. `specFile` (JobSpec.file) defaults to the path as given. */
export function loadJobFile(file: string, options: LoadOptions & { specFile?: string }) {
  const fs = options.fs ?? nodeFs;
  const content = readJobFileFromDisk(path.resolve(options.cwd ?? process.cwd(), file), { fs });
  return parseJobContent(content, file, options);
}

const isJobFile = (name: string) => /\.ya?ml$/i.test(name);

/** Folders never walked: dot-folders (.git, .github) and installed packages. */
const isSkippedFolder = (name: string) => name.startsWith(".") || name === "node_modules";

interface Found {
  /** As shown to the user: relative to cwd. */
  shown: string;
  absolute: string;
  /** Relative to the folder it was found under, forward slashes: JobSpec.file. */
  specFile: string;
  /** The walk's directory entry said a regular file: the reader need not look (lstat) again. */
  regular?: boolean;
}

/** Walks files and folders (`*.yaml`/`*.yml`; dot-folders and node_modules skipped) and
 * validates every job. A path named here is followed if it is a link (the caller chose it);
 * below it, a link, device or FIFO named like a job file is an error, and never read. */
export async function loadJobTree(
  paths: readonly string[],
  options: LoadOptions,
): Promise<LoadedTree> {
  const fs = options.fs ?? nodeFs;
  const cwd = options.cwd ?? process.cwd();
  const found: Found[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let isFolder: boolean;
    try {
      isFolder = fs.statSync(absolute).isDirectory();
    } catch {
      throw new UsageError(`no such file or folder: ${given}`);
    }
    if (isFolder) walk(fs, absolute, absolute, cwd, found);
    else
      found.push({ shown: shownPath(cwd, absolute), absolute, specFile: path.basename(absolute) });
  }
  // By code unit, not locale: the same order on every machine, and 10,000 files sort in ~5 ms
  // instead of ~40 ms of ICU collation.
  const unique = [...new Map(found.map((f) => [f.absolute, f])).values()].sort((a, b) =>
    a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0,
  );

  const specs: JobSpec[] = [];
  const issues: Issue[] = [];
  // Only the file of each job is kept, not its text or parse: a name's place is needed only
  // when two jobs share it, and then the two files are read again.
  const fileOf = new Map<JobSpec, Found>();
  const parseOptions = { ...options, schedules: options.schedules ?? createScheduleChecks() };
  const parse = (f: Found) =>
    parseJobContent(readJobFileFromDisk(f.absolute, { fs, regular: f.regular }), f.shown, {
      ...parseOptions,
      specFile: f.specFile,
    });
  for (const f of unique) {
    const result = parse(f);
    issues.push(...result.issues);
    if (result.spec) {
      specs.push(result.spec);
      fileOf.set(result.spec, f);
    }
  }
  issues.push(
    ...(await checkUniqueNames(specs, async (spec) => {
      // A valid file took the quick parse, which keeps no positions, so it is read and parsed
      // again: only files whose name another job shares get here.
      const f = fileOf.get(spec);
      if (!f) return undefined;
      const { line, col } = parse(f).namePosition ?? { line: 1, col: 1 };
      return { file: f.shown, line, col };
    })),
  );
  return { specs, issues, files: unique.map((f) => f.shown) };
}

const shownPath = (cwd: string, absolute: string): string =>
  path.relative(cwd, absolute) || path.basename(absolute);

function walk(fs: Fs, root: string, folder: string, cwd: string, found: Found[]): void {
  const entries = fs.readdirSync(folder, { withFileTypes: true });
  // Relative paths are worked out once per folder: per file, path.relative was most of the walk.
  const shownFolder = path.relative(cwd, folder);
  const specFolder = path.relative(root, folder).split(path.sep).join("/");
  for (const entry of entries) {
    const name = String(entry.name);
    const absolute = folder.endsWith(path.sep) ? folder + name : `${folder}${path.sep}${name}`;
    if (entry.isDirectory()) {
      if (!isSkippedFolder(name)) walk(fs, root, absolute, cwd, found);
    } else if (isJobFile(name)) {
      // Links, devices and FIFOs too: the reader refuses them by name, without reading.
      found.push({
        shown: shownFolder ? `${shownFolder}${path.sep}${name}` : name,
        absolute,
        specFile: specFolder ? `${specFolder}/${name}` : name,
        regular: entry.isFile(),
      });
    }
  }
}

export interface NameSource {
  file: string;
  line: number;
  col: number;
}

/** A name used by two or more jobs is an error on every one of their files. */
export async function checkUniqueNames(
  specs: readonly JobSpec[],
  locate: (spec: JobSpec) => Promise<NameSource | undefined> = async () => undefined,
): Promise<Issue[]> {
  const byName = new Map<string, JobSpec[]>();
  for (const spec of specs) byName.set(spec.name, [...(byName.get(spec.name) ?? []), spec]);
  const issues: Issue[] = [];
  for (const [name, owners] of byName) {
    if (owners.length < 2) continue;
    const where = await Promise.all(
      owners.map(async (spec) => (await locate(spec)) ?? { file: spec.file, line: 1, col: 1 }),
    );
    where.forEach((at, index) => {
      const others = where.filter((_, j) => j !== index).map((o) => o.file);
      issues.push({
        ...at,
        severity: "error",
        rule: "name.duplicate",
        message: `job name "${name}" is also used by ${others.join(", ")}`,
        hint: "job names must be unique: rename one file, or set a different name:",
      });
    });
  }
  return issues;
}
