// Stable hashes of specs, so the agent and `gitcron plan` can tell what changed.

import { createHash } from "node:crypto";
import { type JobSpec, NOTIFY_EVENTS } from "../jobs/spec.js";

/** JSON with object keys sorted, so equal specs hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** The fields that decide how a job runs; `file` is where it came from, not what it does. */
type Fields = Omit<JobSpec, "file" | "notifyOn"> & Partial<Pick<JobSpec, "notifyOn">>;

/** A field left at its default is left out, so a job that does not use a field added later
 * keeps the hash it had before (and the plan shows no change). */
export function fieldsOf(spec: JobSpec): Fields {
  const { file: _file, notifyOn, ...fields } = spec;
  return notifyOn.length === NOTIFY_EVENTS.length ? fields : { ...fields, notifyOn };
}

/** One hash per top-level field, so a plan can say which fields changed. */
export function fieldHashes(spec: JobSpec): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fieldsOf(spec))
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, sha(canonicalJson(v))]),
  );
}

export const specHash = (spec: JobSpec): string => sha(canonicalJson(fieldsOf(spec)));
