// The desired set of jobs, kept as the last good spec per file: a valid file replaces its
// job's spec, an invalid one is rejected and its job keeps running as it was, a deleted
// file removes the job, and a file that takes an active job's name is rejected. Only the files
// that changed are parsed again. The agent keeps full specs here; `gitcron plan` keeps what
// state.json knows of each job (its name and hashes), so both judge a revision by these rules.

import { cut, safeMessage } from "../jobs/findings.js";
import type { Issue } from "../jobs/issues.js";
import { hasErrors } from "../jobs/issues.js";
import type { JobSpec } from "../jobs/spec.js";
import { SourceError } from "../source/source-error.js";

export interface FileChange {
  path: string;
  kind: "added" | "modified" | "deleted";
}

/** What is held per file: a job's spec, or as much of it as the caller knows. */
export interface HeldJob {
  name: string;
}

export interface GoodSpec<T extends HeldJob = JobSpec> {
  spec: T;
  /** The revision this file's spec came from. */
  revision: string;
}

export interface Rejection {
  file: string;
  issues: Issue[];
  /** The revision whose file was rejected. */
  revision: string;
}

export type ParseFile<T extends HeldJob = JobSpec> = (
  path: string,
) => Promise<{ spec?: T; issues: Issue[] }>;

export class DesiredJobs<T extends HeldJob = JobSpec> {
  private readonly good = new Map<string, GoodSpec<T>>();
  private readonly rejected = new Map<string, Rejection>();

  constructor(initial: Iterable<[string, GoodSpec<T>]> = [], rejected: Iterable<Rejection> = []) {
    for (const [file, g] of initial) this.good.set(file, g);
    for (const r of rejected) this.rejected.set(r.file, r);
  }

  /** Applies the changes of one revision. `activeFileOf(name)` tells which file a running job came from. */
  async update(options: {
    revision: string;
    changes: readonly FileChange[];
    parse: ParseFile<T>;
    /** When true, files not in `files` are forgotten (a full re-read, e.g. after a force-push). */
    files?: readonly string[];
  }): Promise<void> {
    const { revision, changes, parse } = options;
    if (options.files) {
      const keep = new Set(options.files);
      for (const file of [...this.good.keys(), ...this.rejected.keys()]) {
        if (!keep.has(file)) {
          this.good.delete(file);
          this.rejected.delete(file);
        }
      }
    }
    const parsed = new Map<string, T>();
    for (const change of changes) {
      if (change.kind === "deleted") {
        this.good.delete(change.path);
        this.rejected.delete(change.path);
        continue;
      }
      const { spec, issues } = await parseOrRefuse(parse, change.path);
      if (spec && !hasErrors(issues)) {
        parsed.set(change.path, spec);
        this.rejected.delete(change.path);
      } else {
        this.rejected.set(change.path, {
          file: change.path,
          issues: issues.filter((i) => i.severity === "error"),
          revision,
        });
      }
    }
    this.admit(parsed, revision);
  }

  /** New specs join unless their name is taken by another file that is already in the set: the
   * file that holds a name keeps it (changed or not), a newcomer claiming it is rejected, and
   * two newcomers claiming one free name are both rejected. */
  private admit(parsed: Map<string, T>, revision: string): void {
    const owner = new Map<string, string>();
    for (const [file, g] of this.good) {
      const again = parsed.get(file);
      if (!again || again.name === g.spec.name) owner.set(g.spec.name, file);
    }
    const claims = new Map<string, string[]>();
    for (const [file, spec] of parsed)
      claims.set(spec.name, [...(claims.get(spec.name) ?? []), file]);
    for (const [file, spec] of parsed) {
      const holder = owner.get(spec.name);
      if (holder === file) {
        this.good.set(file, { spec, revision });
        continue;
      }
      const rivals = (claims.get(spec.name) ?? []).filter((f) => f !== file);
      const clash = holder ?? (rivals.length > 0 ? rivals[0] : undefined);
      if (clash) {
        this.rejected.set(file, {
          file,
          revision,
          issues: [
            {
              file,
              line: 1,
              col: 1,
              severity: "error",
              rule: "name.duplicate",
              message: `job name "${spec.name}" is already used by ${clash}`,
              hint: "give one of the files another name (the file name, or `name:`)",
            },
          ],
        });
        continue;
      }
      this.good.set(file, { spec, revision });
    }
  }

  /** A copy to try a revision on: the agent applies it, or keeps this one (a held revision). */
  clone(): DesiredJobs<T> {
    return new DesiredJobs<T>(this.good, this.rejected.values());
  }

  specs(): T[] {
    return [...this.good.values()].map((g) => g.spec);
  }

  /** Every good spec by job name, with the revision it came from. */
  byName(): Map<string, GoodSpec<T>> {
    return new Map([...this.good.values()].map((g) => [g.spec.name, g]));
  }

  entries(): [string, GoodSpec<T>][] {
    return [...this.good];
  }

  rejections(): Rejection[] {
    return [...this.rejected.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
  }
}

/** One bad file rejects one file: whatever goes wrong reading or parsing it is its own error,
 * and every other change of the revision still applies. A source that cannot be read right now
 * (git's blob reader failed) fails the whole sync instead, which is retried. */
async function parseOrRefuse<T extends HeldJob>(
  parse: ParseFile<T>,
  path: string,
): ReturnType<ParseFile<T>> {
  try {
    return await parse(path);
  } catch (err) {
    if (err instanceof SourceError && err.retryable) throw err;
    const why = (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err);
    return {
      issues: [
        {
          file: path,
          line: 1,
          col: 1,
          severity: "error",
          rule: "file.read",
          message: safeMessage(`cannot read or parse the file (${cut(String(why))})`),
        },
      ],
    };
  }
}
