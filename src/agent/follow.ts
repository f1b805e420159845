// What the agent does as its scheduler goes: the handled instants and waiting retries saved
// for the next start, a catch-up's missed ticks told in one notification, every recorded run
// logged, state.json refreshed at most once a second, and the last runs of jobs just added
// read back from the status branch.

import { oneLine } from "../errors.js";
import type { Logger } from "../log.js";
import type { Notifier } from "../notify/notifier.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { RunSummary } from "../status/summary.js";
import type { AgentFiles } from "./agent-files.js";

const FAILED = new Set(["failed", "timeout", "error"]);

export function followScheduler(deps: {
  scheduler: Scheduler;
  notifier: Notifier;
  files: AgentFiles;
  logger: Logger;
  publishState(): void;
  readLastRuns(jobs: string[]): Promise<RunSummary[]>;
}) {
  const { scheduler, files, logger } = deps;
  // A queued tick is handled once it starts (see cursors()), which is no tick of its own.
  const saveCursors = () => files.cursors.save(() => scheduler.cursors());
  scheduler.events.on("tick", saveCursors);
  scheduler.events.on("run:launch", saveCursors);
  // A retry is saved while it waits, and forgotten once it starts.
  const saveRetries = () => files.retries.save(() => scheduler.pendingRetries());
  scheduler.events.on("retry:waiting", saveRetries);
  scheduler.events.on("run:launch", saveRetries);
  scheduler.events.on(
    "caught-up",
    ({ at, missed }) => void deps.notifier.observeCatchUp(at, missed),
  );
  scheduler.events.on("run:recorded", ({ summary }) => {
    const { logTail: _tail, ...fields } = summary;
    // failed, timeout and error at warn, where log-based alerting looks (SPEC §3, "Logs").
    logger[FAILED.has(summary.outcome) ? "warn" : "info"](
      fields,
      `${summary.job}: ${summary.outcome}`,
    );
  });
  // Next-run times and last outcomes change with every run; refresh them at most once a second.
  let stateTimer: NodeJS.Timeout | null = null;
  scheduler.events.on("run:recorded", () => {
    stateTimer ??= setTimeout(() => {
      stateTimer = null;
      deps.publishState();
    }, 1_000);
  });

  // A job the agent (re)starts knowing has had runs: its last one is read from the branch, so
  // /jobs shows it before the job runs again.
  let seeding: Promise<void> = Promise.resolve();
  return {
    saveProgress: () => {
      saveCursors();
      saveRetries();
    },
    seedLastRuns: (jobs: string[]) => {
      seeding = seeding
        .then(() => deps.readLastRuns(jobs))
        .then((runs) => {
          for (const summary of runs) scheduler.setLast(summary);
        })
        .catch((err: unknown) =>
          logger.debug({ err: oneLine(err) }, "could not read last runs from the status branch"),
        );
    },
    seeding: () => seeding,
    stopStateTimer: () => {
      if (stateTimer) clearTimeout(stateTimer);
    },
  };
}
