// Each job's last run as the status branch holds it: jobs/<name>/last.json, and — where that is
// a tick that never ran (skipped, missed) — the newest run that did start, from runs.jsonl. The
// README, `gitcron status` and `gitcron logs` all read the branch through this.

import type { Logger } from "../log.js";
import { parseSchedule, ZoneCache } from "../schedule/cron.js";
import type { ActiveJobState, StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";
import { isRunSummary } from "./summary-shape.js";

/** Reads files of the branch by path; a path that is not there is left out of the answer. */
export type ReadFiles = (paths: readonly string[]) => Promise<Map<string, string>>;

export interface LastRuns {
  /** Each job's newest summary, also for jobs no longer active. */
  last: Record<string, RunSummary>;
  /** Each job's newest run that started, where the newest summary is a tick that did not. */
  started: Record<string, RunSummary>;
}

/** The summaries in a runs.jsonl text; an unreadable line is dropped (with a warning). */
export function parseRuns(text: string, file: string, logger?: Logger): RunSummary[] {
  const runs: RunSummary[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isRunSummary(value)) {
        runs.push(value);
        continue;
      }
    } catch {
      // reported below
    }
    logger?.warn({ file, line: i + 1 }, "unreadable line dropped from the status branch");
  }
  return runs;
}

/** `folders`: the names under jobs/ on the branch. */
export async function readLastRuns(
  folders: readonly string[],
  read: ReadFiles,
  logger?: Logger,
): Promise<LastRuns> {
  const result: LastRuns = { last: {}, started: {} };
  const lastFiles = await read(folders.map((f) => `jobs/${f}/last.json`));
  const needRuns: string[] = [];
  for (const folder of folders) {
    const text = lastFiles.get(`jobs/${folder}/last.json`);
    if (text === undefined) continue;
    try {
      const value: unknown = JSON.parse(text);
      if (!isRunSummary(value)) continue;
      result.last[value.job] = value;
      if (!value.startedAt) needRuns.push(folder);
    } catch {
      // a hand-edited last.json only loses its row until the job's next run
    }
  }
  const runsFiles = await read(needRuns.map((f) => `jobs/${f}/runs.jsonl`));
  for (const [path, text] of runsFiles) {
    const started = parseRuns(text, path, logger)
      .filter((r) => r.startedAt)
      .at(-1);
    if (started) result.started[started.job] = started;
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
  const active = state?.jobs ?? {};
  const names = [...new Set([...Object.keys(active), ...Object.keys(runs.last)])].sort();
  return names.map((name) => {
    const last = runs.last[name];
    return {
      name,
      active: active[name],
      last,
      started: last?.startedAt ? last : runs.started[name],
    };
  });
}
