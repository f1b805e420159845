// plan(desired, active) → changes. Pure: it returns data and does nothing, so it can be
// printed by `gitcron plan`, shown in a pull request and applied by the agent.

import type { JobSpec } from "../jobs/spec.js";
import { fieldHashes, specHash } from "./hash.js";

/** What is known about a job that is running now: from the agent's memory or state.json. */
export interface ActiveJob {
  specHash: string;
  /** Per-field hashes; without them a change is reported with no field names. */
  fields?: Record<string, string>;
  file?: string;
}

export type PlanAction = "add" | "change" | "remove" | "same";

export interface PlanEntry {
  action: PlanAction;
  job: string;
  file?: string;
  /** For `change`: the top-level fields whose value differs, as the job file names them, sorted. */
  fields?: string[];
  /** For `change`: the file the active job came from, when it was another one. */
  fromFile?: string;
  /** For `change`, when both files could be read: each changed field as written, old → new. */
  changes?: FieldChange[];
}

/** One changed field as the files write it; undefined where a file leaves the field out. */
export interface FieldChange {
  field: string;
  from?: string;
  to?: string;
}

/** A job as the plan compares it: its name, file and hashes. */
export interface PlannedJob extends ActiveJob {
  name: string;
  file: string;
}

export function activeJobOf(spec: JobSpec): ActiveJob {
  return { specHash: specHash(spec), fields: fieldHashes(spec), file: spec.file };
}

export const plannedJobOf = (spec: JobSpec): PlannedJob => ({
  name: spec.name,
  file: spec.file,
  specHash: specHash(spec),
  fields: fieldHashes(spec),
});

/** JobSpec's names for the fields a job file spells otherwise (SPEC §1's names are shown). */
const FILE_FIELD: Readonly<Record<string, string>> = {
  timeoutMs: "timeout",
  startingDeadlineMs: "startingDeadline",
  notifyOn: "notify",
};

function changedFields(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => before[k] !== after[k])
    .map((k) => FILE_FIELD[k] ?? k)
    .sort();
}

export function plan(
  desired: readonly PlannedJob[],
  active: Readonly<Record<string, ActiveJob>>,
): PlanEntry[] {
  const entries: PlanEntry[] = [];
  const wanted = new Set<string>();
  for (const job of desired) {
    wanted.add(job.name);
    const current = Object.hasOwn(active, job.name) ? active[job.name] : undefined;
    if (!current) {
      entries.push({ action: "add", job: job.name, file: job.file });
      continue;
    }
    if (current.specHash === job.specHash) {
      entries.push({ action: "same", job: job.name, file: job.file });
      continue;
    }
    const fields =
      current.fields && job.fields ? changedFields(current.fields, job.fields) : undefined;
    const moved = current.file !== undefined && current.file !== job.file;
    entries.push({
      action: "change",
      job: job.name,
      file: job.file,
      ...(fields && { fields }),
      ...(moved && { fromFile: current.file }),
    });
  }
  for (const [job, current] of Object.entries(active)) {
    if (!wanted.has(job))
      entries.push({ action: "remove", job, ...(current.file && { file: current.file }) });
  }
  return entries.sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
}

const SIGN: Record<PlanAction, string> = { add: "+", change: "~", remove: "-", same: "=" };

/** A change's fields as the files write them: `timeout: 15m → 30m`. */
export const changeLines = (e: PlanEntry): string[] =>
  (e.changes ?? [])
    .filter((c) => c.from !== c.to)
    .map((c) => `${c.field}: ${c.from ?? "(not set)"} → ${c.to ?? "(not set)"}`);

export function renderPlan(entries: readonly PlanEntry[]): string {
  const lines = entries.flatMap((e) => {
    const what = e.action === "change" && e.fields?.length ? ` (${e.fields.join(", ")})` : "";
    const where = e.file ? `  ${e.file}` : "";
    const changes = changeLines(e).map((line) => `    ${line}`);
    return [`${SIGN[e.action]} ${e.action.padEnd(6)} ${e.job}${what}${where}`, ...changes];
  });
  const count = (a: PlanAction) => entries.filter((e) => e.action === a).length;
  lines.push(
    `${count("add")} to add, ${count("change")} to change, ${count("remove")} to remove, ${count("same")} unchanged.`,
  );
  return lines.join("\n");
}
