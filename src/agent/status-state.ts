// The state.json the agent publishes: the revision applied, the active jobs with their spec
// hashes, the rejected files and their errors, the time of the last sync.

import type { Notifier } from "../notify/notifier.js";
import type { DesiredJobs } from "../plan/desired.js";
import type { ActiveJob } from "../plan/plan.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { ActiveJobState, StatusState } from "../status/state.js";
import { version } from "../version.js";
import type { Reconciler } from "./reconcile.js";
import type { SyncOutcome } from "./sync-loop.js";

/** A revision the agent did not apply because it would remove all or most jobs (or lose
 * --path); the jobs keep running as the applied revision has them. */
export interface HeldRevision {
  revision: string;
  reason: string;
  since: string;
}

/** state.json as the agent writes it: StatusState and what only the agent knows. */
export interface AgentJobState extends ActiveJobState {
  /** Agent variables the job's fromEnv names that the agent was started without. */
  missingEnv?: string[];
}

export interface AgentStatusState extends StatusState {
  jobs: Record<string, AgentJobState>;
  held?: HeldRevision;
}

export function buildStatusState(options: {
  revision: string | null;
  desired: DesiredJobs;
  scheduler: Scheduler;
  applied: ReadonlyMap<string, ActiveJob>;
  lastSync: SyncOutcome;
  agentVersion: string;
  /** When each job was first applied, if known. */
  appliedAt?: (job: string) => number | undefined;
  /** Whether each job is late (its expectSuccessWithin passed without a success). */
  late?: (job: string) => boolean;
  missingEnv?: (job: string) => readonly string[] | undefined;
  held?: HeldRevision | null;
  /** The leading agent (this one: only the leader writes state.json). */
  leader?: { host: string; pid: number } | null;
}): AgentStatusState {
  const { scheduler, applied, lastSync } = options;
  const jobs: AgentStatusState["jobs"] = {};
  for (const view of scheduler.view()) {
    const active = applied.get(view.spec.name);
    if (!active) continue;
    jobs[view.spec.name] = {
      file: view.spec.file,
      schedule: view.spec.schedule,
      timezone: view.spec.timezone,
      specHash: active.specHash,
      ...(active.fields && { fields: active.fields }),
      suspended: view.spec.suspended,
      nextRunAt: view.nextRunAt?.toISOString() ?? null,
      ...(view.pausedUntil && { pausedUntil: view.pausedUntil.toISOString() }),
    };
    const appliedAt = options.appliedAt?.(view.spec.name);
    const entry = jobs[view.spec.name] as AgentJobState;
    if (appliedAt !== undefined) entry.appliedAt = new Date(appliedAt).toISOString();
    if (options.late?.(view.spec.name)) entry.late = true;
    const missingEnv = options.missingEnv?.(view.spec.name);
    if (missingEnv?.length) entry.missingEnv = [...missingEnv];
  }
  return {
    version: 1,
    revision: options.revision,
    agentVersion: options.agentVersion,
    lastSyncAt: lastSync.at.toISOString(),
    syncErrors: {
      count: lastSync.errors,
      ...(lastSync.lastError && {
        last: { at: lastSync.lastError.at.toISOString(), message: lastSync.lastError.message },
      }),
    },
    jobs,
    rejected: options.desired.rejections().map((r) => ({ file: r.file, issues: r.issues })),
    ...(options.held && { held: options.held }),
    ...(options.leader && { leader: options.leader }),
  };
}

/** state.json now, from the parts that know it. */
export const stateOf = (parts: {
  reconciler: Pick<Reconciler, "revision" | "desired" | "applied" | "missingEnv" | "held">;
  scheduler: Scheduler;
  notifier: Pick<Notifier, "since" | "health">;
  lastSync: SyncOutcome;
  leader: { host: string; pid: number } | null;
}): AgentStatusState => {
  const { reconciler, notifier } = parts;
  return buildStatusState({
    revision: reconciler.revision,
    desired: reconciler.desired,
    scheduler: parts.scheduler,
    applied: reconciler.applied,
    lastSync: parts.lastSync,
    agentVersion: version,
    appliedAt: notifier.since,
    late: (job) => notifier.health(job) === "late",
    missingEnv: (job) => reconciler.missingEnv.get(job),
    held: reconciler.held,
    leader: parts.leader,
  });
};
