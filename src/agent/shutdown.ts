// The agent's stop, in order: no new syncs, no new runs (those going on get the grace period,
// then are left to the next start, which adopts them), what it knows saved, the lease given
// up, and — if it led — the last state, notifications and records pushed.

import type { Elector } from "../lease/elector.js";
import type { Logger } from "../log.js";
import type { Notifier } from "../notify/notifier.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { Source } from "../source/source.js";
import type { StatusStore } from "../status/store.js";
import type { AgentFiles } from "./agent-files.js";
import type { SyncLoop } from "./sync-loop.js";

export async function shutdown(p: {
  unwatch(): void;
  sync: SyncLoop;
  scheduler: Scheduler;
  elector: Elector;
  notifier: Notifier;
  status: StatusStore;
  source: Source;
  files: AgentFiles;
  logger: Logger;
  graceMs: number;
  led(): boolean;
  stopStateTimer(): void;
  saveProgress(): void;
  publishState(): void;
  seeding(): Promise<void>;
  unlockDataDir(): Promise<void>;
}): Promise<void> {
  p.unwatch();
  await p.sync.stop();
  p.stopStateTimer();
  const { leftRunning } = await p.scheduler.stop(p.graceMs);
  if (leftRunning > 0)
    p.logger.info({ leftRunning }, "runs left going; the next start adopts them");
  p.saveProgress();
  await p.files.flush();
  await p.elector.stop();
  const led = p.led();
  if (led) {
    p.publishState();
    await p.notifier.stop();
  }
  await p.seeding();
  // A standby never wrote the status branch; it does not start at its stop.
  if (led) await p.status.stop();
  await p.source.close();
  await p.unlockDataDir();
}
