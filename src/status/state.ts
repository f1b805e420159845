// state.json on the status branch: what the agent applied, from which revision, and what it
// rejected. `gitcron plan` reads it to diff a revision against the active set.

import { isRecord } from "../core/shape.js";
import { EnvironmentError } from "../errors.js";
import type { Issue } from "../jobs/issues.js";
import { type BranchTip, type ReadBranchOptions, withBranchTip } from "./read-branch.js";
import { isInstant, isInteger, isString, orNull } from "./summary-shape.js";

export interface ActiveJobState {
  /** The job file, relative to the jobs path. */
  file: string;
  schedule: string;
  timezone: string;
  specHash: string;
  /** Per-field hashes, so `gitcron plan` can name the fields that changed. */
  fields?: Record<string, string>;
  suspended: boolean;
  nextRunAt: string | null;
  /** When the agent first applied the job: a job that never succeeded is late counting from
   * here (SPEC §7). */
  appliedAt?: string;
  /** Set while the job is late: its expectSuccessWithin passed without a success. */
  late?: true;
  /** Set while the job is paused (`gitcron pause`): when the pause ends. */
  pausedUntil?: string;
}

export interface RejectedFile {
  file: string;
  issues: Issue[];
}

export interface StatusState {
  version: 1;
  /** Commit SHA (or folder digest) of the applied revision; null before the first sync. */
  revision: string | null;
  agentVersion: string;
  lastSyncAt: string | null;
  syncErrors: { count: number; last?: { at: string; message: string } };
  jobs: Record<string, ActiveJobState>;
  rejected: RejectedFile[];
  /** The agent that leads the repository and wrote this (SPEC §3): its host and pid. */
  leader?: { host: string; pid: number };
}

const optional =
  (check: (v: unknown) => boolean) =>
  (v: unknown): boolean =>
    v === undefined || check(v);
const isPosition = (v: unknown) => isInteger(v) && v >= 0;

/** Whether `value` has every field of `fields`, each passing its check. */
const hasFields = (value: unknown, fields: Record<string, (v: unknown) => boolean>): boolean =>
  isRecord(value) && Object.entries(fields).every(([key, check]) => check(value[key]));

const ISSUE: Record<keyof Issue, (v: unknown) => boolean> = {
  file: isString,
  line: isPosition,
  col: isPosition,
  severity: (v) => v === "error" || v === "warning",
  rule: isString,
  message: isString,
  hint: optional(isString),
};

const ACTIVE_JOB: Record<keyof ActiveJobState, (v: unknown) => boolean> = {
  file: isString,
  schedule: isString,
  timezone: isString,
  specHash: isString,
  fields: optional((v) => isRecord(v) && Object.values(v).every(isString)),
  suspended: (v) => typeof v === "boolean",
  nextRunAt: orNull(isString),
  appliedAt: optional(isString),
  late: optional((v) => v === true),
  pausedUntil: optional(isInstant),
};

const STATE: Record<keyof StatusState, (v: unknown) => boolean> = {
  version: (v) => v === 1,
  revision: orNull(isString),
  agentVersion: isString,
  lastSyncAt: orNull(isString),
  syncErrors: (v) =>
    hasFields(v, {
      count: (n) => isInteger(n) && n >= 0,
      last: optional((last) => hasFields(last, { at: isString, message: isString })),
    }),
  jobs: (v) => isRecord(v) && Object.values(v).every((job) => hasFields(job, ACTIVE_JOB)),
  leader: optional((v) => hasFields(v, { host: isString, pid: isInteger })),
  rejected: (v) => Array.isArray(v) && v.every(isRejectedFile),
};

/** A rejected file and its issues, each field of its type. */
export const isRejectedFile = (r: unknown): r is RejectedFile =>
  hasFields(r, {
    file: isString,
    issues: (list) => Array.isArray(list) && list.every((i) => hasFields(i, ISSUE)),
  });

/** True only when every field, nested ones too, has its type: anyone who can push the jobs
 * repository can push the status branch, and each reader (gitcron status, the agent's seed,
 * the README) must not trip over a field of the wrong type (SPEC §4). */
export const isStatusState = (value: unknown): value is StatusState => hasFields(value, STATE);

/** Fetches only the tip of the status branch and returns its state.json; null when the branch
 * (or the file) does not exist. Throws EnvironmentError when the remote cannot be read. */
export function readStatusState(
  repoUrl: string,
  branch: string,
  options: ReadBranchOptions,
): Promise<StatusState | null> {
  return withBranchTip(repoUrl, branch, options, async (tip) =>
    tip ? stateAtTip(tip, branch) : null,
  );
}

/** The state.json at a tip of the status branch; null when the file is not there. */
export async function stateAtTip(
  tip: Pick<BranchTip, "read">,
  branch: string,
): Promise<StatusState | null> {
  const text = (await tip.read(["state.json"])).get("state.json");
  return text === undefined ? null : parseStatusState(text, branch);
}

export function parseStatusState(text: string, branch: string): StatusState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new EnvironmentError(`state.json on "${branch}" is not JSON: ${(err as Error).message}`);
  }
  if (!isStatusState(value)) {
    throw new EnvironmentError(
      `state.json on "${branch}" is not a gitcron state (version 1, each field of its type, expected)`,
    );
  }
  return value;
}

export const stateText = (state: StatusState) => `${JSON.stringify(state, null, 2)}\n`;

/** How old the time of the last sync on the branch may get before state.json is written for
 * it alone: the branch says the agent is alive without rewriting the file at every commit. */
export const SYNC_TIME_REFRESH_MS = 10 * 60_000;

/** What in the state is worth writing state.json for: not the time of the last sync, nor the
 * next-run times, which change all the time. */
export function stateKey(state: StatusState): string {
  const jobs = Object.fromEntries(
    Object.entries(state.jobs).map(([name, j]) => [name, { ...j, nextRunAt: null }]),
  );
  return JSON.stringify({ ...state, lastSyncAt: null, jobs });
}

/** Whether `next` must be written over `current` (the branch's state.json, whose stateKey is
 * `currentKey`). */
export function stateChanged(
  currentKey: string | null,
  current: StatusState | null,
  next: StatusState,
  now: number,
): boolean {
  if (!current || currentKey !== stateKey(next)) return true;
  const lastSync = Date.parse(current.lastSyncAt ?? "");
  return Number.isNaN(lastSync) || now - lastSync >= SYNC_TIME_REFRESH_MS;
}
