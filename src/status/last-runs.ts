// Each job's last run as the status branch's views hold it, and — where that is a tick that
// never ran (skipped, missed) — the newest run that did start. The README and `gitcron status`
// show the branch through this.

import { parseSchedule, ZoneCache } from "../schedule/cron.js";
import type { ActiveJobState, StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";
import type { JobView } from "./views.js";

export interface LastRuns {
  /** Each job's newest summary, also for jobs no longer active. */
  last: Map<string, RunSummary>;
  /** Each job's newest run that started, where the newest summary is a tick that did not. */
  started: Map<string, RunSummary>;
}

/** Each job's last run and last run that started, as its view says. Maps, never plain objects:
 * a job may be named `constructor` or `__proto__`. */
export function lastRunsOf(views: ReadonlyMap<string, JobView>): LastRuns {
  const result: LastRuns = { last: new Map(), started: new Map() };
  for (const [job, view] of views) {
    result.last.set(job, view.last);
    if (!view.last.startedAt && view.lastStarted) result.started.set(job, view.lastStarted);
  }
  return result;
}

export interface JobRow {
  name: string;
  /** Its entry in state.json; undefined for a job no longer active (removed). */
  active: ActiveJobState | undefined;
  /** Its newest summary. */
  last: RunSummary | undefined;
  /** Its newest run that started: start, duration and exit code come from here. */
  started: RunSummary | undefined;
}

/** A job's next fire time after `now`, from its schedule (state.json's copy is only as new as
 * the last time it was written); null if removed, suspended or never again. One zone cache
 * serves every job asked of the same function. */
export function nextRunAfter(now: Date): (job: ActiveJobState | undefined) => string | null {
  const zones = new ZoneCache();
  return (job) => {
    if (!job || job.suspended) return null;
    try {
      return parseSchedule(job.schedule, job.timezone, { zones }).next(now)?.toISOString() ?? null;
    } catch {
      return null;
    }
  };
}

/** One row per job, active or with runs on the branch, by name. */
export function jobRows(state: StatusState | null, runs: LastRuns): JobRow[] {
  const active = new Map(Object.entries(state?.jobs ?? {}));
  const names = [...new Set([...active.keys(), ...runs.last.keys()])].sort();
  return names.map((name) => {
    const last = runs.last.get(name);
    return {
      name,
      active: active.get(name),
      last,
      started: last?.startedAt ? last : runs.started.get(name),
    };
  });
}
