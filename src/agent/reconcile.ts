// One sync, as a list of small steps (as Flux's reconcilers are): fetch → parse → plan → hold
// → apply → persist → report. It owns what the agent desires and has applied; the scheduler
// runs it, the sync loop calls step(), and state.json and the page read it.

import type { Clock } from "../core/clock.js";
import { EnvironmentError, oneLine, sanitize } from "../errors.js";
import { parseJobContent } from "../jobs/job-file.js";
import { createScheduleChecks } from "../jobs/schedule-checks.js";
import type { Logger } from "../log.js";
import { DesiredJobs, type Rejection } from "../plan/desired.js";
import { missingEnvOf } from "../plan/missing-env.js";
import {
  type ActiveJob,
  activeJobOf,
  changeLines,
  type PlanEntry,
  plan,
  plannedJobOf,
} from "../plan/plan.js";
import { pruneHold, short } from "../plan/prune-guard.js";
import { withOldAndNew } from "../plan/values.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { AgentSettings } from "../settings.js";
import type { Snapshot, Source } from "../source/source.js";
import type { AgentFiles } from "./agent-files.js";
import { breather } from "./breathe.js";
import type { HeldRevision } from "./status-state.js";
import { type SyncLoop, type SyncOutcome, startSyncLoop } from "./sync-loop.js";

/** Changed jobs whose "job changed" line says old → new in a sync; past these, the fields are
 * named only (their files are not read a second time). */
const CHANGES_SHOWN = 20;
/** Thousands of jobs at start-up: one line each would drown the log; the sync line counts them. */
const JOB_LINES_MAX = 100;

export interface ReconcileDeps {
  settings: Pick<AgentSettings, "path" | "repo" | "policy" | "timezone" | "allowPrune">;
  env: Readonly<Record<string, string | undefined>>;
  source: Source;
  scheduler: Pick<Scheduler, "upsert" | "remove">;
  /** The applied revision on disk: a restart runs its last good specs at once. */
  files: Pick<AgentFiles, "applied" | "saved">;
  /** What the saved specs were judged by: another key, and they are read again. */
  settingsKey: string;
  logger: Logger;
  clock: Clock;
  /** Jobs just added (their last runs are read from the status branch). */
  added(jobs: string[]): void;
  /** The files rejected at the revision just applied. */
  rejected(files: Rejection[], revision: string): Promise<void>;
  /** A revision the agent cannot go on with: the caller stops it and exits 2. */
  fatal(err: EnvironmentError): void;
}

export class Reconciler {
  desired: DesiredJobs;
  revision: string | null;
  /** The revision not applied because it would remove all or most jobs. */
  held: HeldRevision | null = null;
  /** The jobs the scheduler runs, as the plan compares them. */
  readonly applied = new Map<string, ActiveJob>();
  /** Agent variables each job's fromEnv names that are not set (jobs lacking some). */
  readonly missingEnv = new Map<string, string[]>();
  private readonly toldMissing = new Set<string>();

  constructor(private readonly deps: ReconcileDeps) {
    const saved = deps.files.saved.applied;
    const usable = saved?.version === 1 && saved.settingsKey === deps.settingsKey ? saved : null;
    this.desired = new DesiredJobs(usable?.specs ?? [], usable?.rejected ?? []);
    this.revision = usable?.revision ?? null;
    // The last good specs start at once: a remote that is down at start-up changes nothing.
    this.apply(plan(this.desired.specs().map(plannedJobOf), {}));
  }

  /** One sync: whether a new revision was applied. */
  async step(signal: AbortSignal): Promise<{ changed: boolean }> {
    const started = this.deps.clock.now();
    const snapshot = await this.deps.source.sync(this.revision, signal);
    if (this.unchanged(snapshot)) return { changed: false };
    this.refuseMissingPath(snapshot);
    // Tried on a copy: a held revision leaves the desired jobs as they are.
    const next = await this.parse(snapshot);
    const entries = plan(next.specs().map(plannedJobOf), Object.fromEntries(this.applied));
    if (this.hold(snapshot, entries)) return { changed: false };
    this.desired = next;
    // The "job changed" lines say old → new, as the files write them.
    this.apply(
      await withOldAndNew(
        entries,
        (file) => snapshot.read(file),
        async () => snapshot.previous?.(),
        CHANGES_SHOWN,
      ),
    );
    this.persist(snapshot.revision);
    await this.report(snapshot, entries, started);
    return { changed: true };
  }

  private unchanged(snapshot: Snapshot): boolean {
    if (snapshot.revision === this.revision && snapshot.changes.length === 0) return true;
    // A held revision stays held until a new one comes (or the agent restarts confirmed).
    return snapshot.revision === this.held?.revision;
  }

  /** A first revision without the jobs path, and no saved jobs: a --path typo, not an empty
   * folder; the agent stops here rather than run nothing for ever. */
  private refuseMissingPath(snapshot: Snapshot): void {
    const { settings } = this.deps;
    if (!snapshot.jobsPathMissing || this.revision !== null || this.desired.specs().length > 0)
      return;
    const err = new EnvironmentError(
      `--path ${settings.path} is not in ${sanitize(settings.repo)} at revision ${short(snapshot.revision)}; check --path`,
    );
    this.deps.fatal(err);
    throw err;
  }

  private async parse(snapshot: Snapshot): Promise<DesiredJobs> {
    const { settings } = this.deps;
    // One zone and schedule memo per sync: 20,000 files in a handful of zones share them.
    const schedules = createScheduleChecks();
    const breathe = breather();
    const next = this.desired.clone();
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
    return next;
  }

  /** Whether the revision removes all or most jobs without being confirmed: then it is held,
   * said at error, and the jobs keep running as they are. */
  private hold(snapshot: Snapshot, entries: readonly PlanEntry[]): boolean {
    const { settings, logger } = this.deps;
    const reason = pruneHold({
      entries,
      jobsPathMissing: snapshot.jobsPathMissing === true,
      jobsPath: settings.path,
      revision: snapshot.revision,
      allowed: settings.allowPrune,
    });
    if (!reason) {
      this.held = null;
      return false;
    }
    this.held = {
      revision: snapshot.revision,
      reason,
      since: this.deps.clock.now().toISOString(),
    };
    logger.error(
      { revision: snapshot.revision, applied: this.revision, jobs: this.applied.size },
      `revision held: ${reason}; the jobs keep running as revision ${short(this.revision ?? "")} has them; to apply it, start the agent with --allow-prune ${short(snapshot.revision)}`,
    );
    return true;
  }

  /** The plan carried out on the scheduler, a line a job. */
  private apply(entries: readonly PlanEntry[]): void {
    const { scheduler, logger } = this.deps;
    const good = this.desired.byName();
    const added: string[] = [];
    const level = entries.length > JOB_LINES_MAX ? "debug" : "info";
    for (const e of entries) {
      if (e.action === "same") continue;
      if (e.action === "remove") {
        scheduler.remove(e.job);
        this.applied.delete(e.job);
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
      this.applied.set(e.job, activeJobOf(g.spec));
      if (e.action === "add") added.push(e.job);
      const changes = changeLines(e);
      logger[level](
        { job: e.job, file: e.file, fields: e.fields, ...(changes.length > 0 && { changes }) },
        e.action === "add"
          ? "job added"
          : `job changed${changes.length > 0 ? `: ${changes.join("; ")}` : ""}`,
      );
    }
    this.checkMissingEnv();
    if (added.length > 0) this.deps.added(added);
  }

  /** A job whose fromEnv variable is missing is said once per job and variable; every sync
   * checks. */
  private checkMissingEnv(): void {
    const good = this.desired.byName();
    for (const job of [...this.missingEnv.keys()])
      if (!this.applied.has(job)) this.missingEnv.delete(job);
    for (const job of this.applied.keys()) {
      const spec = good.get(job)?.spec;
      const missing = spec ? missingEnvOf(spec, this.deps.env) : [];
      if (missing.length === 0) {
        this.missingEnv.delete(job);
        continue;
      }
      this.missingEnv.set(job, missing);
      for (const variable of missing) {
        const key = JSON.stringify([job, variable]);
        if (this.toldMissing.has(key)) continue;
        this.toldMissing.add(key);
        this.deps.logger.error(
          { job, variable },
          `${job}: fromEnv names ${variable}, which is not set in the agent's environment; its runs fail until the agent is started with it`,
        );
      }
    }
  }

  private persist(revision: string): void {
    this.revision = revision;
    const { desired, deps } = this;
    deps.files.applied.save(() => ({
      version: 1,
      settingsKey: deps.settingsKey,
      revision,
      specs: desired.entries(),
      rejected: desired.rejections(),
    }));
  }

  private async report(snapshot: Snapshot, entries: readonly PlanEntry[], started: Date) {
    const { logger, clock } = this.deps;
    const rejected = this.desired.rejections();
    for (const r of rejected) {
      for (const issue of r.issues) {
        logger.warn(
          { file: r.file, line: issue.line, col: issue.col, rule: issue.rule },
          `rejected: ${issue.message}`,
        );
      }
    }
    await this.deps.rejected(rejected, snapshot.revision);
    const counts = (a: string) => entries.filter((e) => e.action === a).length;
    logger.info(
      {
        revision: snapshot.revision,
        changedFiles: snapshot.changes.length,
        jobs: this.applied.size,
        added: counts("add"),
        changed: counts("change"),
        removed: counts("remove"),
        rejected: rejected.length,
        ms: clock.now().getTime() - started.getTime(),
      },
      "sync applied",
    );
  }
}

/** The sync loop that steps this reconciler: `applied` hears of each revision it applies,
 * `after` of every step's outcome. */
export function reconcileLoop(
  reconciler: Reconciler,
  options: {
    clock: Clock;
    intervalMs: number;
    logger: Logger;
    applied(revision: string): void;
    after(outcome: SyncOutcome): void;
  },
): SyncLoop {
  return startSyncLoop({
    clock: options.clock,
    intervalMs: options.intervalMs,
    logger: options.logger.child({ stage: "sync" }),
    step: async (signal) => {
      const outcome = await reconciler.step(signal);
      if (outcome.changed && reconciler.revision) options.applied(reconciler.revision);
      return outcome;
    },
    after: options.after,
  });
}
