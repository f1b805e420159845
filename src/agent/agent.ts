// The composition root: the stages wired in data-flow order — source → jobs and plan (the
// reconciler) → scheduler → runtime → status, notify — and the agent's lifecycle. The only
// module that knows them all; each part is built and explained in its own module.

import { mkdir } from "node:fs/promises";
import { type Clock, systemClock } from "../core/clock.js";
import type { EnvironmentError } from "../errors.js";
import { Events } from "../events.js";
import type { Holder } from "../lease/lease-remote.js";
import type { Logger } from "../log.js";
import type { Notifier } from "../notify/notifier.js";
import type { Rejection } from "../plan/desired.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadPauses, type Pauses } from "../scheduler/pauses.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import { agentRedactor } from "../secrets/held.js";
import type { Redactor } from "../secrets/redactor.js";
import type { AgentSettings } from "../settings.js";
import type { Source } from "../source/source.js";
import type { StatusStore } from "../status/store.js";
import { pageLinks } from "../text/page-links.js";
import { openAgentFiles } from "./agent-files.js";
import { branchAccessOf, lastRunsFromBranch } from "./branch-seed.js";
import { lockDataDir } from "./data-lock.js";
import { followScheduler } from "./follow.js";
import { agentIdOf, settingsKeyOf, statusRepoFor } from "./identity.js";
import { createLeadership, type Leadership } from "./leadership.js";
import { gitAccessOf, notifierFor, schedulerFor, sourceFor, statusStoreFor } from "./parts.js";
import { engineRuns, refuseWrongRemote } from "./preflight.js";
import { Reconciler, reconcileLoop } from "./reconcile.js";
import { shutdown } from "./shutdown.js";
import { type AgentStatusState, type HeldRevision, stateOf } from "./status-state.js";
import type { SyncLoop, SyncOutcome } from "./sync-loop.js";

export interface AgentDeps {
  settings: AgentSettings;
  logger: Logger;
  runtime: Runtime;
  env: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  /** Overrides for tests of faults (a source or status store wrapped to fail). */
  source?: Source;
  status?: StatusStore;
  /** How long shutdown waits for running runs (SPEC: 30 s). */
  shutdownGraceMs?: number;
  /** Everything written to the status branch passes through it. */
  redactor?: Redactor;
}

export interface AgentEvents {
  /** A sync applied a new revision (jobs may have come, changed or gone). */
  "sync:applied": { revision: string };
}

export interface Agent {
  scheduler: Scheduler;
  events: Events<AgentEvents>;
  /** The files rejected in the applied revision, with their errors. */
  rejections(): Rejection[];
  /** When the last sync ended, and the errors counted so far. */
  lastSync(): SyncOutcome;
  /** The one redactor every way out of the agent passes through. */
  redactor: Redactor;
  /** Resolves after the first successful sync. */
  ready: Promise<void>;
  isReady(): boolean;
  /** Whether this agent leads its repository (SPEC §3); a standby starts nothing. */
  isLeader(): boolean;
  /** The leading agent as this one last saw it (itself when leading). */
  leader(): Holder | null;
  /** Ask for a sync now (webhook); bursts coalesce. */
  requestSync(): void;
  sync: SyncLoop;
  status: StatusStore;
  /** The repository, credentials removed. */
  sourceDescription: string;
  /** Labels this agent's runs and ends their container names (SPEC §4). */
  agentId: string;
  notifier: Notifier;
  /** Jobs paused without a commit (`gitcron pause`), kept in --data-dir. */
  pauses: Pauses;
  /** The revision applied last, or null before the first sync. */
  revision(): string | null;
  /** The revision not applied because it would remove all or most jobs, or null. */
  held(): HeldRevision | null;
  /** Agent variables each job's fromEnv names that are not set, by job (only jobs lacking some). */
  missingEnv(): ReadonlyMap<string, readonly string[]>;
  /** Settles when the agent cannot go on as set up (a --path missing from the first revision,
   * with no saved jobs to run): the caller stops it and exits 2 with this error's sentence. */
  fatal: Promise<EnvironmentError>;
  /** Starts nothing new, waits up to 30 s for runs, pushes the outbox. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startAgent(deps: AgentDeps): Promise<Agent> {
  const { settings, logger, runtime } = deps;
  const clock = deps.clock ?? systemClock;
  await mkdir(settings.dataDir, { recursive: true });
  const unlockDataDir = await lockDataDir(settings.dataDir);
  const agentId = agentIdOf(settings);
  const existing = await engineRuns(runtime, agentId);
  const files = await openAgentFiles(settings.dataDir, logger);
  const pauses = await loadPauses({
    dataDir: settings.dataDir,
    now: () => clock.now(),
    logger: logger.child({ stage: "pause" }),
  });
  const statusRepo = await statusRepoFor(settings, deps.env);
  const redactor = deps.redactor ?? agentRedactor(settings, deps.env);
  const links = settings.publicUrl ? pageLinks(settings.publicUrl) : undefined;
  const git = gitAccessOf(settings, deps.env);
  const at = { statusRepo, agentId, clock, logger, redactor, links, pauses, git };
  let leadership: Leadership | undefined;
  const state = (): AgentStatusState =>
    stateOf({ reconciler, scheduler, notifier, lastSync, leader: leadership?.leading() ?? null });
  const status =
    deps.status ??
    statusStoreFor(settings, at, {
      refreshState: state,
      alongside: async () => (await leadership?.elector.renewal()) ?? null,
    });
  const notifier = notifierFor(settings, at, () => scheduler.view().map((v) => v.spec));
  // On disk in the outbox first, then any notification it causes: a crash in between leaves
  // the container, and the next start records (and tells) the run again. A catch-up's missed
  // ticks are told together ("caught-up").
  const scheduler = schedulerFor(settings, at, { runtime, env: deps.env }, async (summary, c) => {
    await status.record(summary);
    if (!c.caughtUp) await notifier.observe(summary);
  });
  const publishState = () => status.setState(state());
  pauses.onChange(publishState);
  const followed = followScheduler({
    scheduler,
    notifier,
    files,
    logger,
    publishState,
    readLastRuns: (jobs) => lastRunsFromBranch(statusRepo, branchAccessOf(settings, git), jobs),
  });

  const source = deps.source ?? sourceFor(settings, logger, deps.env);
  let reportFatal: (err: EnvironmentError) => void = () => {};
  const fatal = new Promise<EnvironmentError>((resolve) => {
    reportFatal = resolve;
  });
  // The last good specs start at once: a remote that is down at start-up changes nothing.
  const reconciler = new Reconciler({
    ...{ settings, env: deps.env, source, scheduler, files, logger, clock },
    settingsKey: settingsKeyOf(settings),
    added: followed.seedLastRuns,
    // Only the leader tells; a standby's notifier has not started.
    rejected: async (rejected, revision) => {
      if (leadership?.led) await notifier.observeRejections(rejected, revision);
    },
    fatal: (err) => reportFatal(err),
  });
  if (reconciler.desired.specs().length === 0) await refuseWrongRemote(source);

  let lastSync: SyncOutcome = { at: clock.now(), errors: 0 };
  const events = new Events<AgentEvents>((err) => logger.error({ err }, "agent listener failed"));
  const sync = reconcileLoop(reconciler, {
    ...{ clock, intervalMs: settings.intervalMs, logger },
    applied: (revision) => events.emit("sync:applied", { revision }),
    after: (outcome) => {
      lastSync = outcome;
      publishState();
    },
  });
  const unwatch = source.watch(() => sync.request());

  // Until it leads, the agent syncs and validates but starts nothing (SPEC §3).
  scheduler.hold();
  scheduler.start();
  const stages = { scheduler, notifier, status, reconciler };
  const left = { existing, cursors: files.saved.cursors, retries: files.saved.retries };
  leadership = createLeadership({ ...at, settings, runtime, ...stages, ...left, publishState });
  const { elector } = leadership;
  await elector.start();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    shutdown({
      ...{ ...stages, ...followed, unwatch, sync, elector, source, files, logger, publishState },
      graceMs: deps.shutdownGraceMs ?? 30_000,
      led: () => leadership?.led === true,
      unlockDataDir,
    });
  return {
    scheduler,
    events,
    rejections: () => reconciler.desired.rejections(),
    lastSync: () => lastSync,
    redactor,
    ready: sync.firstSuccess,
    isReady: () => sync.succeeded && elector.role() === "leader",
    isLeader: () => elector.role() === "leader",
    leader: () => elector.leader(),
    requestSync: () => sync.request(),
    sync,
    status,
    sourceDescription: source.description,
    agentId,
    notifier,
    pauses,
    revision: () => reconciler.revision,
    held: () => reconciler.held,
    missingEnv: () => reconciler.missingEnv,
    fatal,
    stop: () => (stopping ??= stop()),
  };
}
