// What a run summary read back from disk or from the branch must look like, field by field:
// a file the agent did not just write (an outbox entry after a crash, a hand edit, a line on a
// branch someone else pushed to) is checked whole before anything uses it (SPEC §4). The small
// checks serve state.json's reader too.

import type { RunSummary } from "./summary.js";

const OUTCOMES = new Set([
  "succeeded",
  "failed",
  "timeout",
  "error",
  "stopped",
  "skipped",
  "missed",
]);
const TRIGGERS = new Set(["schedule", "retry", "catch-up", "manual"]);

export const isString = (v: unknown): v is string => typeof v === "string";
export const isInstant = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));
export const orNull =
  <T>(check: (v: unknown) => v is T) =>
  (v: unknown): v is T | null =>
    v === null || check(v);
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const isInteger = (v: unknown): v is number => Number.isSafeInteger(v);

const FIELDS: Record<keyof RunSummary, (v: unknown) => boolean> = {
  job: (v) => isString(v) && v.length > 0,
  run: (v) => isString(v) && v.length > 0,
  attempt: (v) => isInteger(v) && v >= 1,
  outcome: (v) => isString(v) && OUTCOMES.has(v),
  exitCode: orNull(isInteger),
  reason: orNull(isString),
  scheduledAt: isInstant,
  startedAt: orNull(isInstant),
  finishedAt: orNull(isInstant),
  durationMs: orNull(isNumber),
  image: isString,
  imageDigest: orNull(isString),
  revision: isString,
  trigger: (v) => isString(v) && TRIGGERS.has(v),
  logTail: isString,
  labels: (v) =>
    v === undefined ||
    (typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every(isString)),
};

/** True only when every field has its type: a record with a field missing, of the wrong type
 * or of an unknown outcome is not a summary. */
export function isRunSummary(value: unknown): value is RunSummary {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(FIELDS).every(([key, check]) => check(record[key]));
}
