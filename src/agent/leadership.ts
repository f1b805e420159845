// One agent of the repository leads (SPEC §3): until this one does, it syncs and validates but
// starts nothing, tells nothing and writes nothing to the status branch. Leading, it adopts the
// runs it finds in the engine, starts its notifier and status writer (once), counts the ticks
// no agent ran as missed, and releases the scheduler.

import { join } from "node:path";
import type { Clock } from "../core/clock.js";
import { oneLine } from "../errors.js";
import type { GitAccess } from "../git/run.js";
import { createElector, type Elector } from "../lease/elector.js";
import { LeaseRemote } from "../lease/lease-remote.js";
import type { Logger } from "../log.js";
import type { Notifier, ToldOnBranch } from "../notify/notifier.js";
import type { ExistingRun, Runtime } from "../runtime/runtime.js";
import type { PendingRetry, Scheduler } from "../scheduler/scheduler.js";
import type { AgentSettings } from "../settings.js";
import type { StatusStore } from "../status/store.js";
import { branchAccessOf, withBranchRecords } from "./branch-seed.js";
import type { Cursors } from "./local-state.js";
import type { Reconciler } from "./reconcile.js";

export interface Leadership {
  elector: Elector;
  /** Whether this agent has led since it started (it tells and writes the status branch). */
  readonly led: boolean;
  /** This agent's host and pid while it leads, for state.json. */
  leading(): { host: string; pid: number } | null;
}

export function createLeadership(deps: {
  settings: AgentSettings;
  agentId: string;
  statusRepo: string;
  runtime: Pick<Runtime, "list">;
  scheduler: Scheduler;
  notifier: Notifier;
  status: StatusStore;
  reconciler: Reconciler;
  /** What the previous agent on this data folder left: runs, handled instants, retries. */
  existing: readonly ExistingRun[];
  cursors: Cursors;
  retries: readonly PendingRetry[];
  publishState(): void;
  clock: Clock;
  logger: Logger;
  git: Omit<GitAccess, "remoteUrl">;
}): Leadership {
  const { settings, scheduler, notifier, reconciler, logger } = deps;
  let led = false;
  const lead = async () => {
    // Runs on this engine now, the agent's own from before a restart and those of the agent
    // this one takes over from: adopted, not run again. Listed again at every lead: a
    // standby's list from its start-up is older than the runs the leader started meanwhile.
    const found = await deps.runtime.list(deps.agentId).catch(() => (led ? [] : deps.existing));
    const going = new Set(scheduler.view().flatMap((v) => (v.running ? [v.running.runId] : [])));
    const adopt = found.filter((r) => !going.has(r.runId));
    if (adopt.length > 0)
      logger.info({ runs: adopt.map((r) => r.runId) }, "adopting runs found in the engine");
    scheduler.adopt(adopt);
    const first = !led;
    // What was told about rejected files is on the status branch: a sync that ends while it
    // is read waits for it, rather than tell again what the agent before told.
    let toldOnBranch: (list: ToldOnBranch) => void = () => {};
    notifier.lead(new Promise((resolve) => (toldOnBranch = resolve)));
    led = true;
    // One read of the status branch serves the whole lead: ticks that pass before the
    // scheduler is released are recorded as missed.
    const access = branchAccessOf(settings, deps.git);
    const recorded = await withBranchRecords(deps.statusRepo, access, logger, async (records) => {
      try {
        if (first) await notifier.start(records.seeds);
        const rejected = await records.rejected().catch((err) => {
          logger.warn(
            { err: oneLine(err) },
            "could not read the rejected files on the status branch",
          );
          return null;
        });
        toldOnBranch(rejected);
      } finally {
        // Read or not, observations never wait for ever (the data folder's list then).
        toldOnBranch(null);
      }
      if (reconciler.revision) {
        await notifier.observeRejections(reconciler.desired.rejections(), reconciler.revision);
      }
      if (first) {
        scheduler.resumeRetries(deps.retries);
        deps.status.start();
      }
      return records.lastRuns([...reconciler.applied.keys()]).catch(() => []);
    });
    // Ticks since each job's last record on the branch (or in this data folder) were missed.
    const onBranch = Object.fromEntries(recorded.map((run) => [run.job, run.scheduledAt]));
    await scheduler.release(deps.cursors, onBranch);
    deps.publishState();
  };
  const elector = createElector({
    remote: new LeaseRemote({
      dir: join(settings.dataDir, "lease"),
      remote: deps.statusRepo,
      agent: deps.agentId,
      ...deps.git,
    }),
    dataDir: settings.dataDir,
    leaseMs: settings.leaseMs,
    clock: deps.clock,
    logger: logger.child({ stage: "lease" }),
    onLead: lead,
    onStandby: () => scheduler.hold(),
    onHold: (holding) => (holding ? scheduler.hold() : void scheduler.release()),
  });
  return {
    elector,
    get led() {
      return led;
    },
    leading: () =>
      elector.role() === "leader" ? { host: elector.holder.host, pid: elector.holder.pid } : null,
  };
}
