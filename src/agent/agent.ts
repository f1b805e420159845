// Wires the stages together — source → jobs → plan → scheduler → runtime → status — and
// owns the lifecycle. The only module that knows them all.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { simpleGit } from "simple-git";
import { EnvironmentError, oneLine, sanitize } from "../errors.js";
import { Events } from "../events.js";
import { parseJobContent } from "../jobs/job-file.js";
import { createScheduleChecks } from "../jobs/schedule-checks.js";
import { createElector } from "../lease/elector.js";
import { type Holder, LeaseRemote } from "../lease/lease-remote.js";
import type { Logger } from "../log.js";
import { statusUrlOf } from "../notify/message.js";
import { createNotifier, type Notifier } from "../notify/notifier.js";
import { parseTargets } from "../notify/targets.js";
import { DesiredJobs, type Rejection } from "../plan/desired.js";
import { missingEnvOf } from "../plan/missing-env.js";
import { activeJobOf, changeLines, type PlanEntry, plan, plannedJobOf } from "../plan/plan.js";
import { pruneHold, short } from "../plan/prune-guard.js";
import { withOldAndNew } from "../plan/values.js";
import type { Runtime } from "../runtime/runtime.js";
import { type Clock, systemClock } from "../scheduler/clock.js";
import { type PendingRetry, Scheduler } from "../scheduler/scheduler.js";
import { agentRedactor } from "../secrets/held.js";
import type { Redactor } from "../secrets/redactor.js";
import type { AgentSettings } from "../settings.js";
import { classifyRepo } from "../source/job-files.js";
import { createSource, type Source, SourceError } from "../source/source.js";
import type { WrongSetting } from "../source/source-error.js";
import type { StatusState } from "../status/state.js";
import { createStatusStore, type StatusStore } from "../status/store.js";
import { pageLinks } from "../text/page-links.js";
import { version } from "../version.js";
import { branchAccessOf, lastRunsFromBranch, seedFromBranch } from "./branch-seed.js";
import { breather } from "./breathe.js";
import { lockDataDir } from "./data-lock.js";
import { type AppliedState, type Cursors, jsonFile } from "./local-state.js";
import { isAppliedState, isCursors, isPendingRetries } from "./local-state-shape.js";
import { loadPauses, type Pauses } from "./pauses.js";
import { type AgentStatusState, buildStatusState, type HeldRevision } from "./status-state.js";
import { type SyncLoop, type SyncOutcome, startSyncLoop } from "./sync-loop.js";

/** Changed jobs whose "job changed" line says old → new in a sync; past these, the fields are
 * named only (their files are not read a second time). */
const CHANGES_SHOWN = 20;

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

/** Agents following the same repository, branch and path are one agent for the engine: a
 * second one (or the next start) adopts the runs of the first; an agent of another repository
 * has another id. Credentials are not part of it. */
export const agentIdOf = (s: Pick<AgentSettings, "repo" | "branch" | "path">) =>
  createHash("sha256")
    .update(JSON.stringify([sanitize(s.repo), s.branch ?? "", s.path]))
    .digest("hex")
    .slice(0, 12);

const settingsKeyOf = (s: AgentSettings) =>
  createHash("sha256")
    .update(JSON.stringify([s.path, s.timezone, s.policy, version]))
    .digest("hex")
    .slice(0, 16);

/** --status-repo if given; else --repo, unless that is a watched folder, which has no remote:
 * then the status branch lives in a bare repository in --data-dir. */
async function statusRepoFor(settings: AgentSettings): Promise<string> {
  if (settings.statusRepo) return settings.statusRepo;
  if (classifyRepo(settings.repo).type !== "folder") return settings.repo;
  const bare = join(settings.dataDir, "status.git");
  if (!existsSync(join(bare, "HEAD"))) await simpleGit().init(["--bare", "--quiet", bare]);
  return pathToFileURL(bare).href;
}

export async function startAgent(deps: AgentDeps): Promise<Agent> {
  const { settings, logger, runtime } = deps;
  const clock = deps.clock ?? systemClock;
  await mkdir(settings.dataDir, { recursive: true });
  const unlockDataDir = await lockDataDir(settings.dataDir);

  try {
    await runtime.ping();
  } catch (err) {
    throw new EnvironmentError(oneLine(err));
  }

  const appliedFile = jsonFile<AppliedState>(
    join(settings.dataDir, "applied.json"),
    logger,
    isAppliedState,
  );
  const cursorFile = jsonFile<Cursors>(join(settings.dataDir, "cursors.json"), logger, isCursors);
  const retryFile = jsonFile<PendingRetry[]>(
    join(settings.dataDir, "retries.json"),
    logger,
    isPendingRetries,
  );
  const pauses = await loadPauses({
    dataDir: settings.dataDir,
    now: () => clock.now(),
    logger: logger.child({ stage: "pause" }),
  });
  const links = settings.publicUrl ? pageLinks(settings.publicUrl) : undefined;
  const settingsKey = settingsKeyOf(settings);
  const agentId = agentIdOf(settings);
  // Everything that can fail is asked before anything starts: never a half-started agent.
  // Runs that outlived the previous agent: their jobs start no second run; their end is recorded
  // once. Only runs labelled with this agent's id: agents of other repositories may share the
  // engine, and their runs are theirs to record.
  let existing: Awaited<ReturnType<Runtime["list"]>>;
  try {
    existing = await runtime.list(agentId);
  } catch (err) {
    throw new EnvironmentError(oneLine(err));
  }
  const cursors = (await cursorFile.load()) ?? {};
  const retries = (await retryFile.load()) ?? [];
  const saved = await appliedFile.load();
  const usable = saved?.version === 1 && saved.settingsKey === settingsKey ? saved : null;
  let desired = new DesiredJobs(usable?.specs ?? [], usable?.rejected ?? []);
  let revision: string | null = usable?.revision ?? null;

  const statusRepo = await statusRepoFor(settings);
  const redactor = deps.redactor ?? agentRedactor(settings, deps.env);
  const status: StatusStore =
    deps.status ??
    createStatusStore({
      dataDir: settings.dataDir,
      repoUrl: statusRepo,
      branch: settings.statusBranch,
      agent: agentId,
      history: settings.history,
      keepMs: settings.statusKeepMs,
      viewsEveryMs: settings.statusViewsMs,
      succeededTailBytes: settings.statusTailBytes,
      flushMs: settings.statusFlushMs,
      ...(links && { links }),
      logger: logger.child({ stage: "status" }),
      clock,
      gitToken: settings.gitToken,
      gitTimeoutMs: settings.gitTimeoutMs,
      redactor,
      refreshState: (): StatusState => currentState(),
      // The leader's lease renewal rides on its status pushes: one push, not two.
      alongside: () => elector.renewal(),
    });

  const notifier = createNotifier({
    dataDir: settings.dataDir,
    targets: parseTargets(settings.notify),
    secret: settings.notifySecret,
    redactor,
    logger: logger.child({ stage: "notify" }),
    clock,
    statusUrl: statusUrlOf(settings.statusRepo ?? settings.repo, settings.statusBranch),
    ...(links && { links }),
    restartGraceMs: settings.restartGraceMs,
    specs: () => scheduler.view().map((v) => v.spec),
    paused: () => pauses.active(),
    seed: (jobs) => seedFromBranch(statusRepo, branchAccessOf(settings), jobs),
  });

  const scheduler = new Scheduler({
    clock,
    runtime,
    // On disk in the outbox first, then any notification it causes: a crash in between leaves
    // the container, and the next start records (and tells) the run again.
    record: async (summary, { caughtUp }) => {
      await status.record(summary);
      // A catch-up's missed ticks are told together ("caught-up" below).
      if (!caughtUp) await notifier.observe(summary);
    },
    logger: logger.child({ stage: "scheduler" }),
    policy: settings.policy,
    env: deps.env,
    maxParallel: settings.maxParallel,
    agent: agentId,
    pausedUntil: (job) => pauses.untilOf(job),
  });
  // A queued tick is handled once it starts (see cursors()), which is no tick of its own.
  const saveCursors = () => cursorFile.save(() => scheduler.cursors());
  scheduler.events.on("tick", saveCursors);
  scheduler.events.on("run:launch", saveCursors);
  // A retry is saved while it waits, and forgotten once it starts.
  const saveRetries = () => retryFile.save(() => scheduler.pendingRetries());
  scheduler.events.on("retry:waiting", saveRetries);
  scheduler.events.on("run:launch", saveRetries);
  scheduler.events.on("caught-up", ({ at, missed }) => void notifier.observeCatchUp(at, missed));
  scheduler.events.on("run:recorded", ({ summary }) => {
    const { logTail: _tail, ...fields } = summary;
    // failed, timeout and error at warn, where log-based alerting looks (SPEC §3, "Logs").
    const level = ["failed", "timeout", "error"].includes(summary.outcome) ? "warn" : "info";
    logger[level](fields, `${summary.job}: ${summary.outcome}`);
  });

  // A job the agent (re)starts knowing has had runs: its last one is read from the branch, so
  // /jobs shows it before the job runs again.
  let seeding: Promise<void> = Promise.resolve();
  const seedLastRuns = (jobs: string[]) => {
    if (jobs.length === 0) return;
    seeding = seeding
      .then(() => lastRunsFromBranch(statusRepo, branchAccessOf(settings), jobs))
      .then((runs) => {
        for (const summary of runs) scheduler.setLast(summary);
      })
      .catch((err: unknown) =>
        logger.debug({ err: oneLine(err) }, "could not read last runs from the status branch"),
      );
  };

  // A job whose fromEnv variable is missing is told once per job and variable (every sync checks).
  const missingEnv = new Map<string, string[]>();
  const toldMissing = new Set<string>();
  const checkMissingEnv = () => {
    const good = desired.byName();
    for (const job of [...missingEnv.keys()]) if (!applied.has(job)) missingEnv.delete(job);
    for (const job of applied.keys()) {
      const spec = good.get(job)?.spec;
      const missing = spec ? missingEnvOf(spec, deps.env) : [];
      if (missing.length === 0) {
        missingEnv.delete(job);
        continue;
      }
      missingEnv.set(job, missing);
      for (const variable of missing) {
        const key = JSON.stringify([job, variable]);
        if (toldMissing.has(key)) continue;
        toldMissing.add(key);
        logger.error(
          { job, variable },
          `${job}: fromEnv names ${variable}, which is not set in the agent's environment; its runs fail until the agent is started with it`,
        );
      }
    }
  };

  const applied = new Map<string, ReturnType<typeof activeJobOf>>();
  const applyPlan = (entries: PlanEntry[]) => {
    const good = desired.byName();
    const added: string[] = [];
    // Thousands of jobs at start-up: one line each would drown the log; the sync line counts them.
    const level = entries.length > 100 ? "debug" : "info";
    for (const e of entries) {
      if (e.action === "same") continue;
      if (e.action === "remove") {
        scheduler.remove(e.job);
        applied.delete(e.job);
        logger[level]({ job: e.job }, "job removed");
        continue;
      }
      const g = good.get(e.job);
      if (!g) continue;
      try {
        scheduler.upsert(g.spec, g.revision);
      } catch (err) {
        // Only a spec saved by another version could get here: one job, not the agent.
        logger.error({ job: e.job, err: oneLine(err) }, "job could not be scheduled");
        continue;
      }
      applied.set(e.job, activeJobOf(g.spec));
      if (e.action === "add") added.push(e.job);
      const changes = changeLines(e);
      logger[level](
        { job: e.job, file: e.file, fields: e.fields, ...(changes.length > 0 && { changes }) },
        e.action === "add"
          ? "job added"
          : `job changed${changes.length > 0 ? `: ${changes.join("; ")}` : ""}`,
      );
    }
    seedLastRuns(added);
  };

  // The last good specs start at once: a remote that is down at start-up changes nothing.
  applyPlan(plan(desired.specs().map(plannedJobOf), {}));
  checkMissingEnv();

  const source =
    deps.source ??
    createSource({
      repo: settings.repo,
      path: settings.path,
      dataDir: settings.dataDir,
      timeoutMs: settings.gitTimeoutMs,
      logger: logger.child({ stage: "source" }),
      ...(settings.branch && { branch: settings.branch }),
      ...(settings.gitToken && { gitToken: settings.gitToken }),
      ...(settings.verifySignatures && { verifySignatures: settings.verifySignatures }),
    });

  // With no saved jobs there is nothing to keep running while a typo in --repo or --branch, or
  // refused credentials, retries for ever: ask the remote once, and stop here if it says no.
  // An agent with saved jobs (restarted during an outage, say) keeps running them and retries.
  if (desired.specs().length === 0 && source.probe) {
    try {
      await source.probe();
    } catch (err) {
      const wrong = err instanceof SourceError ? err.wrongSetting : undefined;
      if (wrong) {
        await source.close();
        throw new EnvironmentError(
          `cannot sync ${source.description}: ${oneLine(err).replace(`${source.description}: `, "")}; ${FIX[wrong]}`,
        );
      }
      // The network: the sync loop retries and says so.
    }
  }
  let reportFatal: (err: EnvironmentError) => void = () => {};
  const fatal = new Promise<EnvironmentError>((resolve) => {
    reportFatal = resolve;
  });
  let held: HeldRevision | null = null;

  let lastSync: SyncOutcome = { at: clock.now(), errors: 0 };
  const events = new Events<AgentEvents>((err) => logger.error({ err }, "agent listener failed"));
  const currentState = (): AgentStatusState =>
    buildStatusState({
      revision,
      desired,
      scheduler,
      applied,
      lastSync,
      agentVersion: version,
      appliedAt: notifier.since,
      late: (job) => notifier.health(job) === "late",
      missingEnv: (job) => missingEnv.get(job),
      held,
      leader: leading(),
    });
  // Who leads, for state.json: set once the election is there (it starts after the sync loop).
  let leading = (): { host: string; pid: number } | null => null;
  const publishState = () => status.setState(currentState());
  pauses.onChange(publishState);
  // Next-run times and last outcomes change with every run; refresh them at most once a second.
  let stateTimer: NodeJS.Timeout | null = null;
  scheduler.events.on("run:recorded", () => {
    stateTimer ??= setTimeout(() => {
      stateTimer = null;
      publishState();
    }, 1_000);
  });

  // Whether this agent has led since it started (it tells and writes the status branch).
  let led = false;
  const sync = startSyncLoop({
    clock,
    intervalMs: settings.intervalMs,
    logger: logger.child({ stage: "sync" }),
    step: async (signal) => {
      const started = clock.now();
      const snapshot = await source.sync(revision, signal);
      // One zone and schedule memo per sync: 20,000 files in a handful of zones share them.
      const schedules = createScheduleChecks();
      if (snapshot.revision === revision && snapshot.changes.length === 0)
        return { changed: false };
      // A held revision stays held until a new one comes (or the agent restarts confirmed).
      if (snapshot.revision === held?.revision) return { changed: false };
      if (snapshot.jobsPathMissing && revision === null && desired.specs().length === 0) {
        const err = new EnvironmentError(
          `--path ${settings.path} is not in ${sanitize(settings.repo)} at revision ${short(snapshot.revision)}; check --path`,
        );
        reportFatal(err);
        throw err;
      }
      // Tried on a copy: a held revision leaves the desired jobs as they are.
      const next = desired.clone();
      const breathe = breather();
      await next.update({
        revision: snapshot.revision,
        changes: snapshot.changes,
        files: snapshot.files,
        parse: async (file) => {
          await breathe();
          return parseJobContent(await snapshot.read(file), file, {
            policy: settings.policy,
            defaultTimezone: settings.timezone,
            schedules,
          });
        },
      });
      const entries = plan(next.specs().map(plannedJobOf), Object.fromEntries(applied));
      const holdReason = pruneHold({
        entries,
        jobsPathMissing: snapshot.jobsPathMissing === true,
        jobsPath: settings.path,
        revision: snapshot.revision,
        allowed: settings.allowPrune,
      });
      if (holdReason) {
        held = {
          revision: snapshot.revision,
          reason: holdReason,
          since: clock.now().toISOString(),
        };
        logger.error(
          { revision: snapshot.revision, applied: revision, jobs: applied.size },
          `revision held: ${holdReason}; the jobs keep running as revision ${short(revision ?? "")} has them; to apply it, start the agent with --allow-prune ${short(snapshot.revision)}`,
        );
        return { changed: false };
      }
      held = null;
      desired = next;
      // The "job changed" lines say old → new, as the files write them.
      applyPlan(
        await withOldAndNew(
          entries,
          (file) => snapshot.read(file),
          async () => snapshot.previous?.(),
          CHANGES_SHOWN,
        ),
      );
      checkMissingEnv();
      revision = snapshot.revision;
      appliedFile.save(() => ({
        version: 1,
        settingsKey,
        revision,
        specs: desired.entries(),
        rejected: desired.rejections(),
      }));
      for (const r of desired.rejections()) {
        for (const issue of r.issues) {
          logger.warn(
            { file: r.file, line: issue.line, col: issue.col, rule: issue.rule },
            `rejected: ${issue.message}`,
          );
        }
      }
      // Only the leader tells; a standby's notifier has not started.
      if (led) await notifier.observeRejections(desired.rejections(), revision);
      const counts = (a: string) => entries.filter((e) => e.action === a).length;
      logger.info(
        {
          revision,
          changedFiles: snapshot.changes.length,
          jobs: applied.size,
          added: counts("add"),
          changed: counts("change"),
          removed: counts("remove"),
          rejected: desired.rejections().length,
          ms: clock.now().getTime() - started.getTime(),
        },
        "sync applied",
      );
      events.emit("sync:applied", { revision });
      return { changed: true };
    },
    after: (outcome) => {
      lastSync = outcome;
      publishState();
    },
  });
  const unwatch = source.watch(() => sync.request());

  // One agent of the repository leads (SPEC §3): until this one does, it syncs and validates
  // but starts nothing, tells nothing and writes nothing to the status branch.
  scheduler.hold();
  scheduler.start();
  const lead = async () => {
    // Runs of the agent this one takes over from, on this engine: adopted, not run again.
    const found = led ? await runtime.list(agentId).catch(() => []) : existing;
    const going = new Set(scheduler.view().flatMap((v) => (v.running ? [v.running.runId] : [])));
    const adopt = found.filter((r) => !going.has(r.runId));
    if (adopt.length > 0)
      logger.info({ runs: adopt.map((r) => r.runId) }, "adopting runs found in the engine");
    scheduler.adopt(adopt);
    if (!led) {
      led = true;
      await notifier.start();
      if (revision) await notifier.observeRejections(desired.rejections(), revision);
      scheduler.resumeRetries(retries);
      status.start();
    }
    // Ticks since each job's last record on the branch (or in this data folder) were missed.
    const recorded = await lastRunsFromBranch(statusRepo, branchAccessOf(settings), [
      ...applied.keys(),
    ]).catch(() => []);
    const onBranch = Object.fromEntries(recorded.map((run) => [run.job, run.scheduledAt]));
    await scheduler.release(cursors, onBranch);
    publishState();
  };
  const elector = createElector({
    remote: new LeaseRemote({
      dir: join(settings.dataDir, "lease"),
      remote: statusRepo,
      agent: agentId,
      ...(settings.gitToken && { gitToken: settings.gitToken }),
      timeoutMs: settings.gitTimeoutMs,
    }),
    dataDir: settings.dataDir,
    leaseMs: settings.leaseMs,
    clock,
    logger: logger.child({ stage: "lease" }),
    onLead: lead,
    onStandby: () => scheduler.hold(),
    onHold: (holding) => (holding ? scheduler.hold() : void scheduler.release()),
  });
  leading = () =>
    elector.role() === "leader" ? { host: elector.holder.host, pid: elector.holder.pid } : null;
  await elector.start();

  let stopping: Promise<void> | null = null;
  return {
    scheduler,
    events,
    rejections: () => desired.rejections(),
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
    revision: () => revision,
    held: () => held,
    missingEnv: () => missingEnv,
    fatal,
    stop: () => {
      stopping ??= (async () => {
        unwatch();
        await sync.stop();
        if (stateTimer) clearTimeout(stateTimer);
        const { leftRunning } = await scheduler.stop(deps.shutdownGraceMs ?? 30_000);
        if (leftRunning > 0)
          logger.info({ leftRunning }, "runs left going; the next start adopts them");
        saveCursors();
        saveRetries();
        await Promise.all([cursorFile.flush(), retryFile.flush(), appliedFile.flush()]);
        await elector.stop();
        if (led) {
          publishState();
          await notifier.stop();
        }
        await seeding;
        // A standby never wrote the status branch; it does not start at its stop.
        if (led) await status.stop();
        await source.close();
        await unlockDataDir();
      })();
      return stopping;
    },
  };
}

const FIX: Record<WrongSetting, string> = {
  repository: "check --repo",
  branch: "check --branch, or leave it out for the remote's default branch",
  credentials: "check the credentials",
};
