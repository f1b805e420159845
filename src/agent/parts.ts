// The stages the agent is made of, each built from the settings: where jobs come from, the
// status branch writer and the notifier. What connects them is in agent.ts.

import type { Clock } from "../core/clock.js";
import type { Env, GitAccess } from "../git/run.js";
import type { JobSpec } from "../jobs/spec.js";
import type { Logger } from "../log.js";
import { statusUrlOf } from "../notify/message.js";
import { createNotifier, type Notifier } from "../notify/notifier.js";
import { parseTargets } from "../notify/targets.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Pauses } from "../scheduler/pauses.js";
import { Scheduler, type SchedulerOptions } from "../scheduler/scheduler.js";
import type { Redactor } from "../secrets/redactor.js";
import type { AgentSettings } from "../settings.js";
import { createSource, type Source } from "../source/source.js";
import type { StatusState } from "../status/state.js";
import { type Alongside, createStatusStore, type StatusStore } from "../status/store.js";
import type { PageLinks } from "../text/page-links.js";

/** How the agent's git reaches the status repository: the settings and the entry point's
 * environment, read once. */
export const gitAccessOf = (settings: AgentSettings, env: Env): Omit<GitAccess, "remoteUrl"> => ({
  env,
  timeoutMs: settings.gitTimeoutMs,
  ...(settings.gitToken && { gitToken: settings.gitToken }),
});

export const sourceFor = (settings: AgentSettings, logger: Logger, env: Env): Source =>
  createSource({
    repo: settings.repo,
    env,
    path: settings.path,
    dataDir: settings.dataDir,
    timeoutMs: settings.gitTimeoutMs,
    logger: logger.child({ stage: "source" }),
    ...(settings.branch && { branch: settings.branch }),
    ...(settings.gitToken && { gitToken: settings.gitToken }),
    ...(settings.verifySignatures && { verifySignatures: settings.verifySignatures }),
  });

export const statusStoreFor = (
  settings: AgentSettings,
  at: {
    statusRepo: string;
    agentId: string;
    clock: Clock;
    logger: Logger;
    redactor: Redactor;
    links: PageLinks | undefined;
    git: Omit<GitAccess, "remoteUrl">;
  },
  connect: {
    refreshState(): StatusState;
    /** The leader's lease renewal rides on its status pushes: one push, not two. */
    alongside(): Promise<Alongside | null>;
  },
): StatusStore =>
  createStatusStore({
    dataDir: settings.dataDir,
    repoUrl: at.statusRepo,
    branch: settings.statusBranch,
    agent: at.agentId,
    history: settings.history,
    keepMs: settings.statusKeepMs,
    viewsEveryMs: settings.statusViewsMs,
    succeededTailBytes: settings.statusTailBytes,
    flushMs: settings.statusFlushMs,
    logger: at.logger.child({ stage: "status" }),
    clock: at.clock,
    git: at.git,
    redactor: at.redactor,
    ...(at.links && { links: at.links }),
    ...connect,
  });

export const notifierFor = (
  settings: AgentSettings,
  at: {
    clock: Clock;
    logger: Logger;
    redactor: Redactor;
    links: PageLinks | undefined;
    pauses: Pauses;
  },
  specs: () => JobSpec[],
): Notifier =>
  createNotifier({
    dataDir: settings.dataDir,
    targets: parseTargets(settings.notify),
    secret: settings.notifySecret,
    redactor: at.redactor,
    logger: at.logger.child({ stage: "notify" }),
    clock: at.clock,
    statusUrl: statusUrlOf(settings.statusRepo ?? settings.repo, settings.statusBranch),
    ...(at.links && { links: at.links }),
    restartGraceMs: settings.restartGraceMs,
    specs,
    paused: () => at.pauses.active(),
  });

export const schedulerFor = (
  settings: AgentSettings,
  at: { agentId: string; clock: Clock; logger: Logger; pauses: Pauses },
  run: { runtime: Runtime; env: Readonly<Record<string, string | undefined>> },
  record: SchedulerOptions["record"],
): Scheduler =>
  new Scheduler({
    clock: at.clock,
    runtime: run.runtime,
    record,
    logger: at.logger.child({ stage: "scheduler" }),
    policy: settings.policy,
    env: run.env,
    maxParallel: settings.maxParallel,
    agent: at.agentId,
    pausedUntil: (job) => at.pauses.untilOf(job),
  });
