// Ticks, overlap, retries, missed runs and the parallelism cap. Time comes from a Clock
// and containers from a Runtime, so every rule here is tested without waiting.
//
// Per job there is at most one *active* attempt (waiting for a slot, running, or backing
// off before a retry) and at most one *queued* tick. That is the whole no-overlap rule:
// a second run of a job cannot exist because there is nowhere to put it.
//
// Why one file of ~700 lines: what it decides is pure and apart (decisions.ts, missed.ts,
// summaries.ts); what is left is the state those decisions change — each job's attempt and
// queued tick, the slot queue, the loop — which must change in one place to stay consistent.

import { Events } from "../events.js";
import type { JobSpec } from "../jobs/spec.js";
import { runIdFor } from "../runtime/names.js";
import { type ExistingRun, type RunResult, StopRequest, type Trigger } from "../runtime/runtime.js";
import { parseSchedule, ZoneCache } from "../schedule/cron.js";
import type { RunSummary } from "../status/summary.js";
import { decideAfterRun, decideQueued, decideTick, type TickDecision } from "./decisions.js";
import type { SchedulerEvents, TickAction } from "./events.js";
import {
  type Active,
  type JobState,
  type JobView,
  type PendingRetry,
  type SchedulerOptions,
  type StopResult,
  type Tick,
  type TriggerResult,
  viewOf,
} from "./job-state.js";
import { decideCatchUp, type MissedJob, missedTicks } from "./missed.js";
import { summaryOfResult, summaryOfTick } from "./summaries.js";

export type {
  JobView,
  PendingRetry,
  SchedulerOptions,
  StopResult,
  TriggerResult,
} from "./job-state.js";

export class Scheduler {
  readonly events = new Events<SchedulerEvents>();
  private readonly jobs = new Map<string, JobState>();
  private readonly slotQueue: string[] = [];
  private readonly adoptedAt = new Map<string, Date>();
  /** One formatter per zone for all jobs: 20,000 jobs in one zone share it. */
  private readonly zones = new ZoneCache();
  private readonly inFlight = new Set<Promise<void>>();
  private runningCount = 0;
  private stopping = false;
  /** Held: a standby, or a leader that cannot renew its lease (SPEC §3). */
  private held = false;
  /** Whether it ever ran ticks: only then are its own cursors news of what was handled. */
  private released = false;
  private wake = new AbortController();
  private loop: Promise<void> | null = null;
  private lastTurn: Date;

  constructor(private readonly options: SchedulerOptions) {
    this.lastTurn = options.clock.now();
  }

  /** When the loop last woke: /healthz reports a stalled loop. */
  get lastLoopAt(): Date {
    return this.lastTurn;
  }

  /** Adds a job or replaces its spec. A running run is never stopped by a change. */
  upsert(spec: JobSpec, revision: string): void {
    const now = this.options.clock.now();
    const existing = this.jobs.get(spec.name);
    const schedule = parseSchedule(spec.schedule, spec.timezone, { zones: this.zones });
    if (existing && !existing.removed) {
      const timingChanged =
        existing.spec.schedule !== spec.schedule ||
        existing.spec.timezone !== spec.timezone ||
        existing.spec.suspended !== spec.suspended;
      existing.spec = spec;
      existing.revision = revision;
      existing.schedule = schedule;
      if (timingChanged) existing.nextAt = spec.suspended ? null : schedule.next(now);
    } else {
      this.jobs.set(spec.name, {
        spec,
        revision,
        schedule,
        nextAt: spec.suspended ? null : schedule.next(now),
        cursor: existing?.cursor ?? now,
        active: existing?.active ?? null,
        queued: null,
        lastInstant: existing?.lastInstant ?? null,
        removed: false,
        last: existing?.last ?? null,
      });
    }
    this.poke();
  }

  /** The job starts no new run; a run going on finishes and is recorded. */
  remove(name: string): void {
    const job = this.jobs.get(name);
    if (!job) return;
    job.removed = true;
    job.nextAt = null;
    job.queued = null;
    if (job.active?.phase !== "running") this.jobs.delete(name);
  }

  has(name: string): boolean {
    const job = this.jobs.get(name);
    return !!job && !job.removed;
  }

  /** Whether the job has a run going, waiting for a slot or a retry, or a tick queued. */
  isBusy(name: string): boolean {
    const job = this.jobs.get(name);
    return !!job && (!!job.active || !!job.queued);
  }

  /** Whether a retry follows this just-recorded attempt: afterRun()'s own decision. */
  willRetry(summary: RunSummary): boolean {
    const job = this.jobs.get(summary.job);
    if (!job || summary.outcome === "skipped" || summary.outcome === "missed") return false;
    const active = job.active;
    const decision = decideAfterRun({
      now: this.options.clock.now(),
      outcome: summary.outcome,
      attempt: summary.attempt,
      retries: job.spec.retries,
      removed: job.removed,
      interrupted: active?.runId === summary.run && active.stop.signal.aborted,
      queued: false,
      startsNothing: false,
    });
    return decision.do === "retry";
  }

  /** A manual run, honouring the job's `overlap`. */
  trigger(name: string, trigger: Trigger = "manual"): TriggerResult {
    const job = this.jobs.get(name);
    if (!job || job.removed) return { status: "not-found" };
    if (this.held) return { status: "standby" };
    if (job.active && job.spec.overlap === "skip") return { status: "busy" };
    let at = Math.floor(this.options.clock.now().getTime() / 1000) * 1000;
    if (job.lastInstant && at <= job.lastInstant.getTime()) at = job.lastInstant.getTime() + 1000;
    const scheduledAt = new Date(at);
    const action = this.onTick(job, { scheduledAt, trigger });
    const instant = action === "merged" && job.queued ? job.queued.scheduledAt : scheduledAt;
    return { status: "accepted", runId: runIdFor(name, instant, 1), action };
  }

  /** Stops the job's running run (SIGTERM, then SIGKILL after the grace period, as a timeout
   * does): it is recorded as `stopped` and not retried; a tick queued behind it starts then. */
  stopRun(name: string, why: string): StopResult {
    const job = this.jobs.get(name);
    if (!job || job.removed) return { status: "not-found" };
    const active = job.active;
    if (active?.phase !== "running")
      return this.held ? { status: "standby" } : { status: "not-running" };
    active.stop.abort(new StopRequest(why));
    return { status: "stopping", runId: active.runId };
  }

  /** Runs found in the engine at start-up: their job starts no second run; their end is recorded once. */
  adopt(existing: readonly ExistingRun[]): void {
    for (const run of existing) {
      const job = this.jobs.get(run.job);
      const attempt = Number(run.runId.split("-").at(-1)) || 1;
      const scheduledAt = run.scheduledAt ?? this.options.clock.now();
      const active: Active = {
        job: run.job,
        runId: run.runId,
        scheduledAt,
        attempt,
        trigger: attempt > 1 ? "retry" : "schedule",
        phase: "running",
        revision: run.revision ?? job?.revision ?? "unknown",
        stop: new AbortController(),
      };
      if (job) {
        job.active = active;
        if (scheduledAt > job.cursor) job.cursor = scheduledAt;
      }
      const seen = this.adoptedAt.get(run.job);
      if (!seen || scheduledAt > seen) this.adoptedAt.set(run.job, scheduledAt);
      this.runningCount++;
      this.track(
        this.options.runtime
          .adopt(run, {
            stop: active.stop.signal,
            onLine: (line) =>
              this.events.emit("run:line", { job: run.job, runId: run.runId, line }),
            onResult: (r) => this.recordResult(active, job?.spec, r),
          })
          .then((result) => this.afterRun(run.job, active, result)),
      );
    }
  }

  /** Ticks missed while the agent was down, per job's `missed` policy. */
  async catchUp(cursors: Readonly<Record<string, string>>): Promise<void> {
    const now = this.options.clock.now();
    const told: MissedJob[] = [];
    for (const job of this.jobs.values()) {
      const saved = cursors[job.spec.name];
      if (!saved || job.spec.suspended) continue;
      // Ticks that passed while paused were not to run.
      if (this.options.pausedUntil?.(job.spec.name)) {
        job.cursor = now;
        continue;
      }
      // A tick whose run was found in the engine is not missed.
      const since = new Date(
        Math.max(Date.parse(saved), this.adoptedAt.get(job.spec.name)?.getTime() ?? 0),
      );
      const missed = Number.isNaN(since.getTime()) ? null : missedTicks(job.schedule, since, now);
      if (!missed) continue;
      job.cursor = missed.last;
      const decision = decideCatchUp(job.spec, missed, now);
      if (decision.kind === "run") {
        this.onTick(job, { scheduledAt: decision.scheduledAt, trigger: "catch-up" });
      } else {
        told.push({ job: job.spec.name, ...missed });
        // Not awaited: a record that waits for a full disk must not hold the start-up.
        this.track(
          this.recordTick(job, decision.scheduledAt, "schedule", "missed", decision.reason, true),
        );
      }
    }
    if (told.length > 0) this.events.emit("caught-up", { at: now, missed: told });
  }

  /** The newest handled instant per job, to be saved and handed to catchUp() after a restart.
   * A tick that has not started is not handled yet — queued behind a run, or waiting for a
   * --max-parallel slot: should the agent stop first, it (and the ticks merged into it) count
   * as missed at the next start. */
  cursors(): Record<string, string> {
    return Object.fromEntries(
      [...this.jobs].map(([name, j]) => {
        const notStarted = [j.queued?.scheduledAt, j.active && waitingTick(j.active)]
          .filter((at): at is Date => at instanceof Date)
          .map((at) => at.getTime() - 1);
        return [name, new Date(Math.min(j.cursor.getTime(), ...notStarted)).toISOString()];
      }),
    );
  }

  /** Retries waiting for their backoff or a slot, to be saved and handed to resumeRetries()
   * after a restart. */
  pendingRetries(): PendingRetry[] {
    const pending: PendingRetry[] = [];
    for (const j of this.jobs.values()) {
      const a = j.active;
      if (!a || a.attempt < 2 || a.phase === "running") continue;
      pending.push({
        job: j.spec.name,
        scheduledAt: a.scheduledAt.toISOString(),
        attempt: a.attempt,
        retryAt: (a.retryAt ?? this.options.clock.now()).toISOString(),
      });
    }
    return pending;
  }

  /** Takes up the retries a previous agent left waiting, each at its time (at once if that
   * passed): not for a job that is gone, suspended, busy (an adopted run, a catch-up), whose
   * retries no longer allow the attempt, or whose next tick after the failed one already came
   * — that tick's own run (or its missed record) supersedes the retry. */
  resumeRetries(pending: readonly PendingRetry[]): void {
    const now = this.options.clock.now();
    for (const retry of pending) {
      const job = this.jobs.get(retry.job);
      if (!job || job.removed || job.spec.suspended || job.active || job.queued) continue;
      if (retry.attempt > job.spec.retries.limit + 1) continue;
      const scheduledAt = new Date(retry.scheduledAt);
      const nextTick = job.schedule.next(scheduledAt);
      if (nextTick && nextTick <= now) {
        this.options.logger.info(
          { job: retry.job, scheduledAt, attempt: retry.attempt },
          "a retry left waiting by the last agent is not taken up: a newer tick came since",
        );
        continue;
      }
      job.active = {
        ...this.newAttempt(job, { scheduledAt, trigger: "retry" }, retry.attempt),
        phase: "backoff",
        retryAt: new Date(retry.retryAt),
      };
    }
    this.poke();
  }

  view(): JobView[] {
    const paused = this.options.pausedUntil;
    return [...this.jobs.values()]
      .filter((j) => !j.removed)
      .map((j) => viewOf(j, paused?.(j.spec.name)));
  }

  /** Seeds a job's last summary (from the status branch at start-up); a run that ended since
   * is newer and stays. */
  setLast(summary: RunSummary): void {
    const job = this.jobs.get(summary.job);
    if (job && !job.last) job.last = summary;
  }

  get running(): number {
    return this.runningCount;
  }

  get queueDepth(): number {
    let depth = this.slotQueue.length;
    for (const j of this.jobs.values()) if (j.queued) depth++;
    return depth;
  }

  start(): void {
    this.loop ??= this.runLoop();
  }

  /** Starts nothing new until release(): runs going on finish and are recorded; ticks that
   * pass meanwhile are counted by release() as missed, as after a restart. */
  hold(): void {
    this.held = true;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Starts runs (again). Ticks since the latest of each job's cursor — once it has run ticks —
   * and `sources` (the cursors saved at the last stop, what the status branch recorded last for
   * an agent that takes over from another) follow the job's `missed`; then each job waits for
   * its next instant. */
  async release(...sources: Readonly<Record<string, string>>[]): Promise<void> {
    if (!this.held) return;
    const now = this.options.clock.now();
    const own = this.released ? this.cursors() : {};
    this.released = true;
    const since: Record<string, string> = {};
    for (const [name, job] of this.jobs) {
      const known = [own, ...sources]
        .map((cursors) => cursors[name])
        .filter((c): c is string => !!c)
        .map(Date.parse);
      if (known.length > 0) since[name] = new Date(Math.max(...known)).toISOString();
      job.nextAt = job.spec.suspended || job.removed ? null : job.schedule.next(now);
    }
    this.held = false;
    await this.catchUp(since);
    for (const job of this.jobs.values()) {
      if (job.active?.phase === "waiting-slot" && !this.slotQueue.includes(job.spec.name))
        this.launch(job, job.active);
      else if (!job.active && job.queued) this.startQueued(job);
    }
    this.pumpSlots();
    this.poke();
  }

  /** Whether new runs may start now. */
  private get startsNothing(): boolean {
    return this.stopping || this.held;
  }

  /** Starts nothing new, then waits up to `graceMs` for running runs. Safe to call twice. */
  async stop(graceMs: number): Promise<{ leftRunning: number }> {
    this.stopping = true;
    this.poke();
    await this.loop;
    const all = Promise.all([...this.inFlight]);
    const grace = new AbortController();
    await Promise.race([all, this.options.clock.sleep(graceMs, grace.signal)]);
    grace.abort();
    return { leftRunning: this.runningCount };
  }

  /** Resolves once nothing is running, waiting or backing off (for tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  // --- the loop -------------------------------------------------------------

  private async runLoop(): Promise<void> {
    const { clock } = this.options;
    const maxSleep = this.options.maxSleepMs ?? 30_000;
    while (!this.stopping) {
      const now = clock.now();
      this.lastTurn = now;
      if (!this.held) this.fireDue(now);
      const wakeAt = this.held ? null : this.earliestWake();
      const delay = wakeAt === null ? maxSleep : Math.min(maxSleep, wakeAt - clock.now().getTime());
      if (delay > 0) {
        this.wake = new AbortController();
        await clock.sleep(delay, this.wake.signal);
      }
    }
  }

  private poke(): void {
    this.wake.abort();
  }

  private earliestWake(): number | null {
    let min: number | null = null;
    for (const job of this.jobs.values()) {
      for (const at of [
        job.nextAt,
        job.active?.phase === "backoff" ? job.active.retryAt : undefined,
      ]) {
        if (at && (min === null || at.getTime() < min)) min = at.getTime();
      }
    }
    return min;
  }

  private fireDue(now: Date): void {
    const fired: JobState[] = [];
    for (const job of this.jobs.values()) {
      const active = job.active;
      if (active?.phase === "backoff" && active.retryAt && active.retryAt <= now) {
        this.launch(job, { ...active, phase: "waiting-slot" });
      }
      if (job.nextAt && job.nextAt <= now) {
        let due = job.nextAt;
        // Fire times are at least a second apart: less than a second late, nextAt is the only
        // instant due, and the one after it is worked out once every due job has started (a
        // thousand jobs due together start ~4 ms sooner). Later than that (a stalled loop, a
        // clock jump), the instants that passed merge into the newest.
        if (now.getTime() - due.getTime() < 1000) {
          fired.push(job);
        } else {
          let after = job.schedule.next(due);
          while (after && after <= now) {
            due = after;
            after = job.schedule.next(due);
          }
          job.nextAt = after;
        }
        job.cursor = due;
        // Paused: the tick passes, as it would for a suspended job.
        if (!this.options.pausedUntil?.(job.spec.name))
          this.onTick(job, { scheduledAt: due, trigger: "schedule" });
      }
    }
    for (const job of fired) {
      if (job.nextAt && job.nextAt <= job.cursor) job.nextAt = job.schedule.next(job.cursor);
    }
  }

  private onTick(job: JobState, tick: Tick): TickAction {
    const decision = decideTick(
      {
        lastInstant: job.lastInstant,
        active: job.active && { runId: job.active.runId, phase: job.active.phase },
        queued: job.queued !== null,
      },
      job.spec.overlap,
      tick,
    );
    const action = this.apply(job, tick, decision);
    if (action !== "merged" && action !== "skipped") job.lastInstant = tick.scheduledAt;
    if (this.options.logger.isLevelEnabled("debug")) {
      this.options.logger.debug(
        { job: job.spec.name, scheduledAt: tick.scheduledAt, action },
        "tick",
      );
    }
    this.events.emit("tick", { job: job.spec.name, ...tick, action });
    return action;
  }

  /** Carries out a tick's decision. */
  private apply(job: JobState, tick: Tick, decision: TickDecision): TickAction {
    switch (decision.do) {
      case "merge":
        if (decision.into === "queued" && job.queued) job.queued.merged++;
        return "merged";
      case "start":
        this.launch(job, this.newAttempt(job, tick));
        return job.active?.phase === "waiting-slot" ? "waiting-slot" : "started";
      case "skip":
        void this.recordTick(job, tick.scheduledAt, tick.trigger, "skipped", decision.reason);
        return "skipped";
      case "replace-running":
        job.active?.stop.abort(decision.reason);
        job.queued = { ...tick, merged: 0 };
        return "replacing";
      case "replace-waiting":
        this.dropFromSlotQueue(job.spec.name);
        job.active = null;
        this.launch(job, this.newAttempt(job, tick));
        return "started";
      case "queue":
        job.queued = { ...tick, merged: 0 };
        return "queued";
    }
  }

  private newAttempt(job: JobState, tick: Tick, attempt = 1): Active {
    return {
      job: job.spec.name,
      runId: runIdFor(job.spec.name, tick.scheduledAt, attempt),
      scheduledAt: tick.scheduledAt,
      attempt,
      trigger: tick.trigger,
      phase: "waiting-slot",
      revision: job.revision,
      stop: new AbortController(),
    };
  }

  /** Starts the attempt now, or parks it until a slot frees (--max-parallel). */
  private launch(job: JobState, attempt: Active): void {
    job.active = attempt;
    if (this.startsNothing) return;
    if (this.runningCount >= this.options.maxParallel) {
      if (!this.slotQueue.includes(job.spec.name)) this.slotQueue.push(job.spec.name);
      return;
    }
    this.runningCount++;
    attempt.phase = "running";
    attempt.revision = job.revision;
    const spec = job.spec;
    const now = this.options.clock.now();
    this.events.emit("run:launch", {
      job: spec.name,
      runId: attempt.runId,
      scheduledAt: attempt.scheduledAt,
      trigger: attempt.trigger,
      lagMs: now.getTime() - attempt.scheduledAt.getTime(),
    });
    const run = this.options.runtime.run(
      {
        runId: attempt.runId,
        spec,
        scheduledAt: attempt.scheduledAt,
        attempt: attempt.attempt,
        trigger: attempt.trigger,
        revision: job.revision,
        env: this.options.env,
        agent: this.options.agent,
        policy: this.options.policy,
      },
      {
        stop: attempt.stop.signal,
        onLine: (line) =>
          this.events.emit("run:line", { job: spec.name, runId: attempt.runId, line }),
        onStart: (info) => {
          attempt.startedAt = info.startedAt;
          attempt.containerId = info.containerId;
        },
        onResult: (result) => this.recordResult(attempt, spec, result),
      },
    );
    this.track(run.then((result) => this.afterRun(spec.name, attempt, result)));
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => {
      this.options.logger.error({ err }, "scheduler bookkeeping failed");
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** A run's record: a failure to store it is thrown on, so the runtime keeps the run's
   * container and the next start records it (SPEC §3, "Start-up"). */
  private async recordResult(attempt: Active, spec: JobSpec | undefined, result: RunResult) {
    const summary = summaryOfResult(
      attempt,
      spec ?? { image: "", labels: {} },
      attempt.revision,
      result,
    );
    await this.options.record(summary, { caughtUp: false });
    this.recorded(summary);
  }

  private async recordTick(
    job: JobState,
    scheduledAt: Date,
    trigger: Trigger,
    outcome: "skipped" | "missed",
    reason: string,
    caughtUp = false,
  ): Promise<void> {
    const now = this.options.clock.now();
    const summary = summaryOfTick({
      spec: job.spec,
      revision: job.revision,
      scheduledAt,
      trigger,
      outcome,
      reason,
      now,
    });
    try {
      await this.options.record(summary, { caughtUp });
    } catch (err) {
      // A tick that never ran has no container to keep: said at error, and gone.
      this.options.logger.error(
        { err, job: summary.job, run: summary.run },
        "could not store the record of a tick that did not run",
      );
      return;
    }
    this.recorded(summary);
  }

  private recorded(summary: RunSummary): void {
    const job = this.jobs.get(summary.job);
    if (job) job.last = summary;
    this.events.emit("run:recorded", { summary });
  }

  /** After a run: retry, start the queued tick, or go idle; then hand the freed slot on. */
  private afterRun(name: string, attempt: Active, result: RunResult): void {
    this.runningCount--;
    const job = this.jobs.get(name);
    if (job && job.active === attempt) {
      job.active = null;
      const decision = decideAfterRun({
        now: this.options.clock.now(),
        outcome: result.outcome,
        attempt: attempt.attempt,
        retries: job.spec.retries,
        removed: job.removed,
        interrupted: attempt.stop.signal.aborted,
        queued: job.queued !== null,
        startsNothing: this.startsNothing,
      });
      if (decision.do === "retry") {
        job.active = {
          ...this.newAttempt(
            job,
            { scheduledAt: attempt.scheduledAt, trigger: "retry" },
            decision.attempt,
          ),
          phase: "backoff",
          retryAt: decision.retryAt,
        };
        this.events.emit("retry:waiting", {
          job: name,
          scheduledAt: attempt.scheduledAt,
          attempt: decision.attempt,
          retryAt: decision.retryAt,
        });
        this.poke();
      } else if (decision.do === "start-queued") this.startQueued(job);
      if (job.removed && !job.active) this.jobs.delete(name);
      if (!job.active) this.events.emit("job:idle", { job: name });
    }
    this.pumpSlots();
  }

  private startQueued(job: JobState): void {
    const queued = job.queued;
    if (!queued) return;
    job.queued = null;
    const decision = decideQueued(
      this.options.clock.now(),
      queued.scheduledAt,
      job.spec.startingDeadlineMs,
    );
    if (decision.do === "miss") {
      void this.recordTick(job, queued.scheduledAt, queued.trigger, "missed", decision.reason);
      return;
    }
    this.launch(job, this.newAttempt(job, queued));
  }

  private pumpSlots(): void {
    while (
      !this.startsNothing &&
      this.runningCount < this.options.maxParallel &&
      this.slotQueue.length > 0
    ) {
      const name = this.slotQueue.shift() as string;
      const job = this.jobs.get(name);
      if (job?.active?.phase === "waiting-slot") this.launch(job, job.active);
    }
  }

  private dropFromSlotQueue(name: string): void {
    const i = this.slotQueue.indexOf(name);
    if (i >= 0) this.slotQueue.splice(i, 1);
  }
}

/** The instant of a tick whose first attempt never started (parked for a slot); a retry or a
 * manual run is not a tick the next start could miss. */
function waitingTick(active: Active): Date | undefined {
  return active.phase === "waiting-slot" && active.attempt === 1 && active.trigger !== "manual"
    ? active.scheduledAt
    : undefined;
}
