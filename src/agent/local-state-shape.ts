// What the agent's own files in --data-dir must look like when read back (SPEC §4: files read
// back from the data folder are validated). A file that fails is set aside and the agent starts
// as if it were missing: a full re-read of the repository, a catch-up from the status branch.

import { isRecord } from "../core/shape.js";
import { DNS_LABEL } from "../jobs/rules.js";
import type { JobSpec } from "../jobs/spec.js";
import type { Rejection } from "../plan/desired.js";
import type { PendingRetry } from "../scheduler/scheduler.js";
import { isRejectedFile } from "../status/state.js";
import type { AppliedState, Cursors } from "./local-state.js";

const isString = (v: unknown): v is string => typeof v === "string";
const isStringList = (v: unknown) => v === undefined || (Array.isArray(v) && v.every(isString));
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);

function isMount(v: unknown): boolean {
  if (!isRecord(v) || typeof v.readOnly !== "boolean" || !isString(v.path)) return false;
  return v.kind === "volume" ? isString(v.volume) : v.kind === "hostPath" && isString(v.hostPath);
}

/** The fields downstream code relies on, each of its type. */
export function isJobSpec(v: unknown): v is JobSpec {
  if (!isRecord(v)) return false;
  const retries = v.retries;
  return (
    isString(v.name) &&
    DNS_LABEL.test(v.name) &&
    isString(v.file) &&
    isString(v.schedule) &&
    isString(v.timezone) &&
    isString(v.image) &&
    isStringList(v.entrypoint) &&
    isStringList(v.command) &&
    optional(v.user, isString) &&
    optional(v.workingDir, isString) &&
    optional(v.network, isString) &&
    optional(v.timeoutMs, isCount) &&
    optional(v.startingDeadlineMs, isCount) &&
    isRecord(v.env) &&
    Object.values(v.env).every((e) => isRecord(e) && (isString(e.value) || isString(e.fromEnv))) &&
    Array.isArray(v.volumes) &&
    v.volumes.every(isMount) &&
    ["queue", "skip", "replace"].includes(v.overlap as string) &&
    ["skip", "run-once"].includes(v.missed as string) &&
    isRecord(retries) &&
    isCount(retries.limit) &&
    isCount(retries.backoffMs) &&
    typeof v.suspended === "boolean" &&
    optional(v.tty, (t) => t === true) &&
    isRecord(v.labels) &&
    Object.values(v.labels).every(isString) &&
    // Absent in the files of versions before notifications; their settings key differs anyway.
    isStringList(v.notifyOn)
  );
}

export function isAppliedState(v: unknown): v is AppliedState {
  return (
    isRecord(v) &&
    v.version === 1 &&
    isString(v.settingsKey) &&
    (v.revision === null || isString(v.revision)) &&
    Array.isArray(v.specs) &&
    v.specs.every(
      (entry) =>
        Array.isArray(entry) &&
        entry.length === 2 &&
        isString(entry[0]) &&
        isRecord(entry[1]) &&
        isString(entry[1].revision) &&
        isJobSpec(entry[1].spec),
    ) &&
    (v.rejected === undefined ||
      (Array.isArray(v.rejected) &&
        v.rejected.every((r) => isRejectedFile(r) && isString((r as Rejection).revision))))
  );
}

const isTime = (v: unknown) => isString(v) && !Number.isNaN(Date.parse(v));

export function isPendingRetries(v: unknown): v is PendingRetry[] {
  return (
    Array.isArray(v) &&
    v.every(
      (r) =>
        isRecord(r) &&
        isString(r.job) &&
        DNS_LABEL.test(r.job) &&
        isTime(r.scheduledAt) &&
        isTime(r.retryAt) &&
        Number.isSafeInteger(r.attempt) &&
        (r.attempt as number) >= 2,
    )
  );
}

export function isCursors(v: unknown): v is Cursors {
  return isRecord(v) && Object.values(v).every(isTime);
}
