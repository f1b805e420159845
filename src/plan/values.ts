// A changed job's fields as its two files write them, for `gitcron plan`'s "old → new" lines:
// the user reads `timeout: 15m → 30m`, not that timeoutMs changed.

import { parseDocument, stringify } from "yaml";
import { cut } from "../jobs/findings.js";
import { MAX_ALIAS_COUNT } from "../jobs/parse.js";
import type { FieldChange } from "./plan.js";

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
