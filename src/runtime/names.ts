// Names derived from the job and the scheduled instant: the engine refuses a
// second container with the same name, which makes it the lock per tick.

import type { ExistingRun } from "./runtime.js";

/** The last instant written: jobs due together share it, and a thousand of them start sooner
 * for not formatting it a thousand times. */
let last = { time: Number.NaN, text: "" };

const compact = (d: Date): string => {
  if (d.getTime() !== last.time) {
    const text = d
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z");
    last = { time: d.getTime(), text };
  }
  return last.text;
};

export const runIdFor = (job: string, scheduledAt: Date, attempt: number): string =>
  `${job}-${compact(scheduledAt)}-${attempt}`;

/** `gitcron-<job>-<unix seconds>[-<attempt>]-<agent id>`: the engine's lock on the tick among
 * agents of one repository (they share the id), and no lock at all on another repository's
 * runs of a job with the same name (SPEC §4). */
export const containerNameFor = (
  job: string,
  scheduledAt: Date,
  attempt: number,
  agent: string,
): string => {
  const base = `gitcron-${job}-${Math.floor(scheduledAt.getTime() / 1000)}`;
  return `${attempt === 1 ? base : `${base}-${attempt}`}-${agent}`;
};

export const LABEL = {
  job: "gitcron.job",
  run: "gitcron.run",
  revision: "gitcron.revision",
  agent: "gitcron.agent",
  scheduledAt: "gitcron.scheduled-at",
  attempt: "gitcron.attempt",
  trigger: "gitcron.trigger",
  /** Comma-separated names of the container's variables that came from `fromEnv`: an adopting
   * agent reads their values from the container to redact its output. Names only, never values. */
  redact: "gitcron.redact",
} as const;

/** A run found in the engine, read from its labels (container or service alike). */
export function existingRunOf(
  labels: Readonly<Record<string, string>>,
  id: string,
  running: boolean,
): ExistingRun {
  const scheduledAt = new Date(labels[LABEL.scheduledAt] ?? Number.NaN);
  return {
    runId: labels[LABEL.run] ?? "",
    job: labels[LABEL.job] ?? "",
    revision: labels[LABEL.revision] ?? null,
    agent: labels[LABEL.agent] ?? null,
    scheduledAt: Number.isNaN(scheduledAt.getTime()) ? null : scheduledAt,
    running,
    id,
  };
}

/** A Swarm object's name (a service, a config): the cluster refuses more than 63 characters,
 * which a long job name and the agent id exceed. A longer name keeps its start and ends with a
 * digest of the whole, the same on every agent. */
export function swarmName(name: string): string {
  if (name.length <= 63) return name;
  const digest = shortDigest(name);
  return `${name.slice(0, 46)}-${digest}`;
}

/** The first 16 hex digits of the SHA-256 of `text`. node:crypto is loaded on first use: few
 * names need it, and `gitcron run` starts ~3 ms sooner without it. */
export const shortDigest = (text: string): string =>
  process
    .getBuiltinModule("node:crypto")
    .createHash("sha256")
    .update(text)
    .digest("hex")
    .slice(0, 16);
