// Pauses: an emergency switch without a commit (`gitcron pause JOB --for 2h`). A paused job
// starts no scheduled run until its pause ends; kept in --data-dir (pauses.json) so a restart
// keeps it, and always with an end, so a pause nobody lifts does not stop a job for good.
// `suspended: true` in Git stays the durable way.

import { join } from "node:path";
import { jsonFile } from "../core/json-file.js";
import type { Logger } from "../log.js";
import { isInstant } from "../status/summary-shape.js";

/** The longest pause: past that, suspend the job in Git. */
export const MAX_PAUSE_MS = 30 * 86_400_000;

export interface Pause {
  until: string;
  /** When it was asked for. */
  at: string;
}

type PauseFile = Record<string, Pause>;

const isPauseFile = (v: unknown): v is PauseFile =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every(
    (p) =>
      typeof p === "object" &&
      p !== null &&
      isInstant((p as Pause).until) &&
      isInstant((p as Pause).at),
  );

export interface Pauses {
  /** When the job's pause ends, or null when it is not paused (an ended pause is none). */
  untilOf(job: string): Date | null;
  /** Every pause going on, by job. */
  active(): Map<string, Date>;
  pause(job: string, forMs: number): Date;
  /** False when the job was not paused. */
  resume(job: string): boolean;
  /** Resolves when the latest change is on disk. */
  flush(): Promise<void>;
  /** Called after each pause, resume or end of a pause. */
  onChange(listener: () => void): void;
}

export async function loadPauses(options: {
  dataDir: string;
  now: () => Date;
  logger: Logger;
}): Promise<Pauses> {
  const { now, logger } = options;
  const file = jsonFile<PauseFile>(join(options.dataDir, "pauses.json"), logger, isPauseFile);
  const pauses = new Map<string, Pause>(Object.entries((await file.load()) ?? {}));
  const listeners: (() => void)[] = [];
  const save = () => {
    file.save(() => Object.fromEntries(pauses));
    for (const listener of listeners) listener();
  };
  const untilOf = (job: string): Date | null => {
    const pause = pauses.get(job);
    if (!pause) return null;
    const until = new Date(pause.until);
    if (until > now()) return until;
    pauses.delete(job);
    save();
    logger.info({ job, until: pause.until }, "job pause ended: scheduled runs start again");
    return null;
  };
  return {
    untilOf,
    active() {
      const out = new Map<string, Date>();
      for (const job of [...pauses.keys()]) {
        const until = untilOf(job);
        if (until) out.set(job, until);
      }
      return out;
    },
    pause(job, forMs) {
      const at = now();
      const until = new Date(at.getTime() + Math.min(forMs, MAX_PAUSE_MS));
      pauses.set(job, { until: until.toISOString(), at: at.toISOString() });
      save();
      logger.warn({ job, until: until.toISOString() }, "job paused: it starts no scheduled run");
      return until;
    },
    resume(job) {
      if (!pauses.delete(job)) return false;
      save();
      logger.info({ job }, "job resumed: scheduled runs start again");
      return true;
    },
    flush: () => file.flush(),
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
