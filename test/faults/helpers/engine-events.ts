// What the engine itself says about a test's containers: its container events (create, start,
// die, destroy), folded into the report the ledger checks. Pure: events in, a report out; the
// subscription to the engines is engine-watch.ts.

import { LABEL } from "../../../src/runtime/names.js";

/** The container events the fold reads; the watch asks the engine for these only. */
export const CONTAINER_ACTIONS = ["create", "start", "die", "destroy"] as const;

/** One container event as the engine sends it on GET /events (the fields the fold reads). The
 * engine copies the container's labels into Actor.Attributes. */
export interface EngineEvent {
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  /** Nanoseconds since the epoch, by the engine host's clock (every engine of the tests runs on
   * one host, so the events of two engines interleave by it). */
  timeNano: number;
}

export interface EngineReport {
  /** Per job, the most containers that were between their start and their die at once. */
  maxLive: Record<string, number>;
  /** Each time one job had more than one live container: the runs that were live. */
  overlaps: string[];
  /** Run ids (the gitcron.run label) of containers seen starting. */
  ranRuns: Set<string>;
  /** Per run id, the containers that started for it: more than one is a tick run twice, which
   * the branch (one record per run) would not show. */
  containersOfRun: Map<string, Set<string>>;
  /** Run ids of containers created and not destroyed by the last event: left for a next start. */
  present: Set<string>;
  /** How many events of the test's jobs were folded. */
  events: number;
}

/** Folds the events of containers whose job starts with `prefix`, in the engines' time order (a
 * stable sort keeps an engine's own order between events stamped alike). */
export function foldEngineEvents(events: readonly EngineEvent[], prefix: string): EngineReport {
  const report: EngineReport = {
    maxLive: {},
    overlaps: [],
    ranRuns: new Set(),
    containersOfRun: new Map(),
    present: new Set(),
    events: 0,
  };
  /** Per job, its containers between start and die, with their run ids. */
  const live = new Map<string, Map<string, string>>();
  /** Containers created and not yet destroyed, with their run ids. */
  const present = new Map<string, string>();
  for (const event of [...events].sort((a, b) => a.timeNano - b.timeNano)) {
    const labels = event.Actor.Attributes ?? {};
    const job = labels[LABEL.job] ?? "";
    if (!job.startsWith(prefix)) continue;
    report.events++;
    const id = event.Actor.ID;
    const run = labels[LABEL.run] ?? id;
    const liveOfJob = live.get(job) ?? new Map<string, string>();
    live.set(job, liveOfJob);
    switch (event.Action) {
      case "create":
        present.set(id, run);
        break;
      case "start": {
        report.ranRuns.add(run);
        report.containersOfRun.set(run, (report.containersOfRun.get(run) ?? new Set()).add(id));
        liveOfJob.set(id, run);
        if (liveOfJob.size > 1) report.overlaps.push([...liveOfJob.values()].join(" + "));
        report.maxLive[job] = Math.max(report.maxLive[job] ?? 0, liveOfJob.size);
        break;
      }
      case "die":
        liveOfJob.delete(id);
        break;
      case "destroy":
        // The engine sends die first, also for a container removed by force.
        present.delete(id);
        break;
    }
  }
  report.present = new Set(present.values());
  return report;
}

/** What one engine's events cannot explain about the containers of the test's jobs it listed
 * once all its events up to after the listing were read: a listed container the events never
 * created, or one they created before the listing began (`listedAt`, ns) and never destroyed
 * that the listing lacks. Either is an event the stream missed. */
export function unexplained(
  events: readonly EngineEvent[],
  prefix: string,
  listed: readonly { id: string; job: string }[],
  listedAt: number,
): string[] {
  const created = new Map<string, number>();
  const destroyed = new Set<string>();
  for (const e of events) {
    if (!(e.Actor.Attributes?.[LABEL.job] ?? "").startsWith(prefix)) continue;
    if (e.Action === "create") created.set(e.Actor.ID, e.timeNano);
    if (e.Action === "destroy") destroyed.add(e.Actor.ID);
  }
  const ours = listed.filter((c) => c.job.startsWith(prefix));
  const listedIds = new Set(ours.map((c) => c.id));
  return [
    ...ours
      .filter((c) => !created.has(c.id))
      .map((c) => `container ${c.id.slice(0, 12)} of ${c.job} is in the engine, never created`),
    ...[...created]
      .filter(([id, at]) => at < listedAt && !destroyed.has(id) && !listedIds.has(id))
      .map(([id]) => `container ${id.slice(0, 12)} is gone from the engine, never destroyed`),
  ];
}
