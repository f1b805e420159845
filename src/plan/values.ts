// A changed job's fields as its two files write them, for `gitcron plan`'s "old → new" lines:
// the user reads `timeout: 15m → 30m`, not that timeoutMs changed.

import { parseDocument, stringify } from "yaml";
import { cut } from "../jobs/findings.js";
import type { JobFileContent } from "../jobs/job-file.js";
import { MAX_ALIAS_COUNT } from "../jobs/parse.js";
import type { FieldChange, PlanEntry } from "./plan.js";

type Raw = Record<string, unknown>;

/** A job file's top-level mapping, or undefined when the text is not one. */
export function rawJob(text: string): Raw | undefined {
  try {
    const doc = parseDocument(text, { merge: true, prettyErrors: false });
    if (doc.errors.length > 0) return undefined;
    const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return data && typeof data === "object" && !Array.isArray(data) ? (data as Raw) : undefined;
  } catch {
    return undefined; // an alias bomb, say: the plan still names the fields
  }
}

/** Each field as the old and the new file write it, each value cut like any excerpt. */
export function fieldChanges(fields: readonly string[], before: Raw, after: Raw): FieldChange[] {
  return fields.map((field) => ({
    field,
    ...(before[field] !== undefined && { from: cut(flow(before[field])) }),
    ...(after[field] !== undefined && { to: cut(flow(after[field])) }),
  }));
}

/** YAML's flow style on one line: `15m`, `[ sh, -c ]`, `{ limit: 2, backoff: 30s }`. */
export const flow = (value: unknown): string =>
  stringify(value, { collectionStyle: "flow", lineWidth: 0 }).trimEnd();

export type ReadFile = (file: string) => Promise<JobFileContent>;

/** Each changed job's changed fields as its old and new files write them (`gitcron plan`, the
 * agent's "job changed" line), for the first `limit` changed jobs. Best effort: when the
 * applied revision cannot be read (a remote that refuses a fetch by commit, a revision pruned
 * since, a folder that keeps no history) the fields are named only. */
export async function withOldAndNew(
  entries: PlanEntry[],
  readNew: ReadFile,
  oldFiles: () => Promise<ReadFile | undefined>,
  limit = Number.POSITIVE_INFINITY,
): Promise<PlanEntry[]> {
  if (!entries.some((e) => e.action === "change" && e.fields?.length)) return entries;
  // Past a few, the values are left out: a revision that changes 5,000 jobs reads no 10,000
  // blobs again for them.
  let left = limit;
  const readOld = await oldFiles().catch(() => undefined);
  if (!readOld) return entries;
  const raw = async (read: ReadFile, file: string) => {
    const content = await read(file).catch(() => undefined);
    return content && "text" in content ? rawJob(content.text) : undefined;
  };
  return Promise.all(
    entries.map(async (e) => {
      if (e.action !== "change" || !e.fields?.length || !e.file || left-- <= 0) return e;
      // A job whose file was renamed is read from the file it was applied from.
      const [before, after] = await Promise.all([
        raw(readOld, e.fromFile ?? e.file),
        raw(readNew, e.file),
      ]);
      return before && after ? { ...e, changes: fieldChanges(e.fields, before, after) } : e;
    }),
  );
}
