// Tells people (SPEC §7): follows each job's health from its recorded runs and the late check,
// puts one notification per change of state on disk for every target, and delivers them at
// least once, retried with backoff for 24 h. A receiver that is down or slow never delays a run,
// the scheduler or the status branch: delivery has a loop of its own, and recording a run only
// writes files. Health survives a restart in the data folder, or is rebuilt from the status
// branch when the data folder has none.
//
// Why one file of ~500 lines: health, rejected files and catch-ups all enqueue through one
// outbox and one delivery loop per target, in the order things happened; the pure parts are
// apart (health.ts, message.ts, window.ts, queue.ts, targets.ts).

import { join } from "node:path";
import type { Clock } from "../core/clock.js";
import { type JsonFile, jsonFile } from "../core/json-file.js";
import { oneLine } from "../errors.js";
import { Events } from "../events.js";
import type { JobSpec, NotifyEvent } from "../jobs/spec.js";
import type { Logger } from "../log.js";
import type { Rejection } from "../plan/desired.js";
import { ZoneCache } from "../schedule/cron.js";
import type { MissedJob } from "../scheduler/missed.js";
import type { Redactor } from "../secrets/redactor.js";
import type { RunSummary } from "../status/summary.js";
import { formatDuration } from "../text/duration.js";
import type { PageLinks } from "../text/page-links.js";
import {
  checkLate,
  type HealthState,
  healthFromRuns,
  type JobHealth,
  newHealth,
  observeRun,
} from "./health.js";
import {
  caughtUpBody,
  type FileEvent,
  type NotificationBody,
  notificationBody,
  withPauses,
} from "./message.js";
import { createNotificationQueue, type QueuedNotification } from "./queue.js";
import { deliver, type Target, type TargetKind } from "./targets.js";
import { lateWindowMs } from "./window.js";

/** Give up on a notification this long after it was made (SPEC §7: 24 h), with an error. */
const GIVE_UP_MS = 24 * 3_600_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const TICK_MS = 1_000;
/** `auto` windows are worked out again after this long: "the next year" moves on. */
const WINDOW_TTL_MS = 24 * 3_600_000;

export interface NotifierOptions {
  dataDir: string;
  targets: readonly Target[];
  secret?: string | undefined;
  redactor: Redactor;
  logger: Logger;
  clock: Clock;
  statusUrl: string | null;
  /** Links to jobs' pages (`--public-url`). */
  links?: PageLinks;
  /** A catch-up whose oldest missed tick is no older than this is recorded, not told. */
  restartGraceMs?: number;
  /** The jobs that run now. */
  specs(): JobSpec[];
  /** The jobs paused now (`gitcron pause`), noted in every notification. */
  paused?(): ReadonlyMap<string, Date>;
}

/** For jobs the data folder knows nothing of: their runs on the status branch (oldest first)
 * and when they were first applied, so a fresh start neither repeats nor loses. */
export type HealthSeed = (
  jobs: readonly string[],
) => Promise<Map<string, { runs: RunSummary[]; since?: number }>>;

/** The files the status branch lists as rejected (null: no state there): what the agent that
 * led before told, which an agent taking over from another host does not tell again. */
export type ToldOnBranch = readonly Pick<Rejection, "file" | "issues">[] | null;

export interface NotifierCounters {
  sent: Record<TargetKind, number>;
  failed: Record<TargetKind, number>;
  pending: number;
}

export interface NotifierEvents {
  /** A job's health changed (healthy, failing, late): what the status page shows. */
  health: { job: string; state: HealthState };
}

export interface Notifier {
  readonly events: Events<NotifierEvents>;
  /** Loads what the data folder kept; `seed` fills in the jobs it knows nothing of. */
  start(seed?: HealthSeed): Promise<void>;
  /** A run's record (or a tick's): may change the job's health; resolves once any
   * notification is on disk. Never rejects. */
  observe(summary: RunSummary): Promise<void>;
  /** This agent has just taken the lease: what was told about rejected files is what the
   * status branch lists (`toldOnBranch`, once read), where the agent that led before (another,
   * or this one) left it. Rejections observed meanwhile wait for it. */
  lead(toldOnBranch: Promise<ToldOnBranch>): void;
  /** The files rejected after a sync of `revision`: `rejected` once for each file and its
   * errors, `fixed` once a file is no longer rejected. One call at a time, in order. Never
   * rejects. */
  observeRejections(rejected: readonly Rejection[], revision: string): Promise<void>;
  /** Ticks missed while no agent ran (a restart, a takeover): one `missed` for all the jobs
   * that tell it, unless the oldest is within the restart grace. Never rejects. */
  observeCatchUp(at: Date, missed: readonly MissedJob[]): Promise<void>;
  stop(): Promise<void>;
  lastSuccessAt(job: string): number | null;
  /** The job's health as notifications see it; undefined for a job not seen yet. */
  health(job: string): HealthState | undefined;
  /** When the job was first applied, as far as this agent knows. */
  since(job: string): number | undefined;
  counters(): NotifierCounters;
}

interface SavedHealth {
  version: 1;
  /** When it was written: queued notifications made after it carry newer health. */
  savedAt: number;
  jobs: Record<string, JobHealth>;
}

const isSavedHealth = (v: unknown): v is SavedHealth => {
  const s = v as Partial<SavedHealth> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    s.version === 1 &&
    Number.isFinite(s.savedAt) &&
    typeof s.jobs === "object" &&
    s.jobs !== null &&
    Object.values(s.jobs).every(
      (h) =>
        typeof h === "object" &&
        h !== null &&
        ["healthy", "failing", "late"].includes((h as JobHealth).state) &&
        Number.isFinite((h as JobHealth).since),
    )
  );
};

/** The files last told as rejected, each with the errors told (file → their key). */
interface SavedRejections {
  version: 1;
  files: Record<string, string>;
}

const isSavedRejections = (v: unknown): v is SavedRejections => {
  const s = v as Partial<SavedRejections> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    s.version === 1 &&
    typeof s.files === "object" &&
    s.files !== null &&
    Object.values(s.files).every((k) => typeof k === "string")
  );
};

/** Events that tell of a file, not of a job's health (older entries of them carry one). */
const FILE_EVENTS: ReadonlySet<string> = new Set<FileEvent>(["rejected", "fixed"]);

/** A rejection's errors, not its revision: a file left broken across commits is told once. */
const issuesKey = (r: Pick<Rejection, "issues">) =>
  JSON.stringify(r.issues.map((i) => [i.rule, i.line, i.col, i.message]));

export function createNotifier(options: NotifierOptions): Notifier {
  const { logger, clock, targets } = options;
  const dir = join(options.dataDir, "notify");
  const queue = createNotificationQueue(join(dir, "outbox"), logger);
  const saved: JsonFile<SavedHealth> = jsonFile(join(dir, "health.json"), logger, isSavedHealth);
  const health = new Map<string, JobHealth>();
  const events = new Events<NotifierEvents>((err) =>
    logger.error({ err: oneLine(err) }, "a health listener failed"),
  );
  const pending: QueuedNotification[] = [];
  const inFlight = new Set<string>();
  const targetByKey = new Map(targets.map((t) => [t.key, t]));
  const counts: NotifierCounters = {
    sent: { http: 0, smtp: 0 },
    failed: { http: 0, smtp: 0 },
    pending: 0,
  };
  const zones = new ZoneCache();
  const windows = new Map<string, { ms: number | undefined; at: number }>();
  const halt = new AbortController();
  let wake = new AbortController();
  let loops: Promise<unknown> | null = null;

  const now = () => clock.now().getTime();
  const save = () =>
    saved.save(() => ({ version: 1, savedAt: now(), jobs: Object.fromEntries(health) }));

  const healthOf = (job: string): JobHealth => {
    let h = health.get(job);
    if (!h) {
      h = newHealth(now());
      health.set(job, h);
      save();
    }
    return h;
  };

  const windowOf = (spec: JobSpec): number | undefined => {
    if (!spec.expectSuccessWithin) return undefined;
    const key = JSON.stringify([
      spec.schedule,
      spec.timezone,
      spec.timeoutMs,
      spec.expectSuccessWithin,
    ]);
    const cached = windows.get(key);
    if (cached && now() - cached.at < WINDOW_TTL_MS) return cached.ms;
    const ms = lateWindowMs(spec, clock.now(), zones);
    windows.set(key, { ms, at: now() });
    return ms;
  };

  /** One notification per target on disk, each with the job's health after it (none when
   * it tells of no job's health). */
  async function enqueue(told: NotificationBody, after?: JobHealth) {
    const body = withPauses(told, options.paused?.() ?? new Map(), clock.now());
    const json = options.redactor.redact(JSON.stringify(options.redactor.value(body)));
    const { event } = body;
    const job = body.job ?? "";
    for (const target of targets) {
      const entry = await queue.add({
        target: target.key,
        job,
        event,
        createdAt: now(),
        json,
        ...(after && { health: after }),
      });
      pending.push(entry);
    }
    logger.info({ job, event, targets: targets.length }, `notification queued: ${body.text}`);
  }

  const bodyOf = (
    event: NotifyEvent | FileEvent,
    job: string,
    detail: { run?: RunSummary; text?: string },
  ) =>
    notificationBody({
      event,
      job,
      ...(detail.run && { run: detail.run }),
      ...(detail.text && { detail: detail.text }),
      statusUrl: options.statusUrl,
      // A rejected file's "job" may be a file that runs no job: no page to link to.
      ...(options.links && specOf(job) && { links: options.links }),
      now: clock.now(),
    });

  /** Records the new health; when the change is an event the job sends, puts one notification
   * per target on disk first (each with the new health), then the health, then delivers. */
  async function change(
    spec: JobSpec | undefined,
    job: string,
    next: JobHealth,
    event: NotifyEvent | undefined,
    detail: { run?: RunSummary; text?: string },
  ) {
    const send = event && targets.length > 0 && (spec?.notifyOn ?? []).includes(event);
    if (send) await enqueue(bodyOf(event, job, detail), next);
    const before = health.get(job);
    const changed = JSON.stringify(before) !== JSON.stringify(next);
    health.set(job, next);
    if (before?.state !== next.state) events.emit("health", { job, state: next.state });
    if (changed) {
      save();
      await saved.flush();
    }
    if (send) wake.abort();
  }

  const specOf = (job: string) => options.specs().find((s) => s.name === job);

  const toldRejected: JsonFile<SavedRejections> = jsonFile(
    join(dir, "rejected.json"),
    logger,
    isSavedRejections,
  );
  // What was told, file → its errors' key; set by lead(), else this data folder's list.
  let told: Promise<Map<string, string>> | null = null;
  // One observation at a time: two syncs' rejections must not both tell a file.
  let observing: Promise<void> = Promise.resolve();

  /** One notification per target about a job file, named by the job that runs from it (if
   * any); a job with `notify: false` stays silent. */
  async function tellFile(event: FileEvent, file: string, spec: JobSpec | undefined, text: string) {
    if (targets.length === 0 || (spec && spec.notifyOn.length === 0)) return;
    await enqueue(bodyOf(event, spec?.name ?? file, { text }));
    wake.abort();
  }

  async function observeCatchUp(at: Date, missed: readonly MissedJob[]) {
    try {
      const told = missed.filter((m) => specOf(m.job)?.notifyOn.includes("missed"));
      if (told.length === 0 || targets.length === 0) return;
      const oldest = Math.min(...told.map((m) => m.first.getTime()));
      const grace = options.restartGraceMs ?? 0;
      if (at.getTime() - oldest <= grace) {
        logger.info(
          { jobs: told.map((m) => m.job), ticks: told.reduce((n, m) => n + m.count, 0) },
          `ticks missed within --restart-grace ${formatDuration(grace)}: recorded, not notified`,
        );
        return;
      }
      await enqueue(caughtUpBody({ missed: told, statusUrl: options.statusUrl, now: clock.now() }));
      wake.abort();
    } catch (err) {
      logger.error({ err: oneLine(err) }, "could not queue the notification of missed ticks");
    }
  }

  /** What was told before this agent led: the branch's list, which the agent that led last
   * wrote (this one, or one on another host), else this data folder's own. Taken at every
   * lead: while another agent led, it may have told what this one's list does not know. */
  async function toldBefore(onBranch: ToldOnBranch): Promise<Map<string, string>> {
    if (onBranch) return new Map(onBranch.map((r) => [r.file, issuesKey(r)]));
    return new Map(Object.entries((await toldRejected.load())?.files ?? {}));
  }

  function lead(toldOnBranch: Promise<ToldOnBranch>) {
    told = toldOnBranch.catch(() => null).then(toldBefore);
  }

  function observeRejections(rejected: readonly Rejection[], revision: string) {
    observing = observing.then(() => observeOnce(rejected, revision));
    return observing;
  }

  async function observeOnce(rejected: readonly Rejection[], revision: string) {
    try {
      told ??= toldBefore(null);
      const known = await told;
      const at = revision.slice(0, 7);
      const current = new Set(rejected.map((r) => r.file));
      const news = rejected.filter((r) => known.get(r.file) !== issuesKey(r));
      const fixed = [...known.keys()].filter((file) => !current.has(file));
      if (news.length === 0 && fixed.length === 0) return;
      const specByFile = new Map(options.specs().map((s) => [s.file, s]));
      for (const r of news) {
        known.set(r.file, issuesKey(r));
        const [first] = r.issues;
        const more = r.issues.length > 1 ? ` (and ${r.issues.length - 1} more)` : "";
        const kept = specByFile.get(r.file);
        const keeps = kept
          ? `; ${kept.name} keeps running its last good spec`
          : "; it runs nothing until it is fixed";
        const why = first ? `: line ${first.line}: ${first.message}${more}` : "";
        const text = `${r.file} was rejected at ${at}${why}${keeps}`;
        await tellFile("rejected", r.file, kept, text);
      }
      for (const file of fixed) {
        known.delete(file);
        const text = `${file} is no longer rejected at ${at}`;
        await tellFile("fixed", file, specByFile.get(file), text);
      }
      const files = Object.fromEntries(known);
      toldRejected.save(() => ({ version: 1, files }));
      await toldRejected.flush();
    } catch (err) {
      logger.error({ err: oneLine(err) }, "could not queue a notification about rejected files");
    }
  }

  async function observe(summary: RunSummary) {
    try {
      const spec = specOf(summary.job);
      const { health: next, event } = observeRun(
        healthOf(summary.job),
        summary,
        spec ?? { retries: { limit: 0, backoffMs: 0 } },
      );
      await change(spec, summary.job, next, event, {
        run: summary,
        ...(event === "missed" && { text: missedText(summary) }),
      });
    } catch (err) {
      logger.error({ job: summary.job, err: oneLine(err) }, "could not queue a notification");
    }
  }

  async function checkAllLate() {
    for (const spec of options.specs()) {
      const current = healthOf(spec.name);
      const windowMs = windowOf(spec);
      const { health: next, event } = checkLate(current, spec, windowMs, now());
      if (!event) continue;
      const within = `(expected within ${formatDuration(windowMs ?? 0)})`;
      // A job that never succeeded says so: "no success for" would read as if it once had.
      const text =
        current.lastSuccessAt === null
          ? `never succeeded since it was added ${formatDuration(now() - current.since)} ago ${within}`
          : `no success for ${formatDuration(now() - current.lastSuccessAt)} ${within}`;
      await change(spec, spec.name, next, event, { text });
    }
  }

  async function deliverOne(entry: QueuedNotification) {
    const target = targetByKey.get(entry.target);
    if (!target) {
      logger.warn(
        { job: entry.job, event: entry.event },
        "notification dropped: its target is no longer configured",
      );
      await queue.remove(entry);
      return true;
    }
    try {
      await deliver(target, entry.json, { secret: options.secret });
      await queue.remove(entry);
      counts.sent[target.kind]++;
      logger.info(
        { job: entry.job, event: entry.event, target: target.shown },
        "notification sent",
      );
      return true;
    } catch (err) {
      const why = options.redactor.redact(oneLine(err));
      entry.attempts++;
      if (now() - entry.createdAt > GIVE_UP_MS) {
        counts.failed[target.kind]++;
        logger.error(
          {
            job: entry.job,
            event: entry.event,
            target: target.shown,
            attempts: entry.attempts,
            err: why,
          },
          "notification dropped: not delivered within 24 hours",
        );
        await queue.remove(entry);
        return true;
      }
      entry.nextAttemptAt =
        now() + Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(entry.attempts, 10));
      await queue.update(entry).catch(() => undefined);
      if (entry.attempts === 1 || entry.attempts % 10 === 0)
        logger.warn(
          {
            job: entry.job,
            event: entry.event,
            target: target.shown,
            attempts: entry.attempts,
            err: why,
          },
          "notification not delivered; retrying",
        );
      return false;
    }
  }

  /** Per target, its oldest notification when due: a receiver gets them in the order they
   * happened (a failure before its recovery), and one that is down holds only its own. */
  const dueByTarget = () => {
    const heads = new Map<string, QueuedNotification>();
    for (const entry of pending) if (!heads.has(entry.target)) heads.set(entry.target, entry);
    return [...heads.values()].filter((e) => e.nextAttemptAt <= now() && !inFlight.has(e.id));
  };

  async function deliveryLoop() {
    while (!halt.signal.aborted) {
      const due = dueByTarget();
      await Promise.all(
        due.map(async (entry) => {
          inFlight.add(entry.id);
          try {
            if (await deliverOne(entry)) pending.splice(pending.indexOf(entry), 1);
          } finally {
            inFlight.delete(entry.id);
          }
        }),
      );
      counts.pending = pending.length;
      if (due.length > 0 && dueByTarget().length > 0) continue;
      wake = new AbortController();
      const soonest = Math.min(
        TICK_MS,
        ...pending.map((e) => Math.max(0, e.nextAttemptAt - now())),
      );
      await clock.sleep(soonest, AbortSignal.any([halt.signal, wake.signal]));
    }
  }

  async function lateLoop() {
    while (!halt.signal.aborted) {
      try {
        await checkAllLate();
      } catch (err) {
        logger.error({ err: oneLine(err) }, "the late check failed");
      }
      await clock.sleep(TICK_MS, halt.signal);
    }
  }

  return {
    events,
    async start(seed) {
      const loaded = await saved.load();
      for (const [job, h] of Object.entries(loaded?.jobs ?? {})) health.set(job, h);
      const unknown = options
        .specs()
        .map((s) => s.name)
        .filter((job) => !health.has(job));
      if (unknown.length > 0 && seed) {
        try {
          const seeds = await seed(unknown);
          for (const [job, seed] of seeds) {
            const spec = specOf(job);
            if (!spec) continue;
            const since = seed.since ?? seed.runs[0]?.scheduledAt;
            const from =
              since === undefined ? now() : typeof since === "number" ? since : Date.parse(since);
            health.set(job, healthFromRuns(seed.runs, spec, from, windowOf(spec), now()));
          }
          save();
        } catch (err) {
          logger.warn(
            { err: oneLine(err) },
            "could not read job health from the status branch; starting afresh",
          );
        }
      }
      // Oldest first: queue.list() sorts by the time each was made.
      pending.push(...(await queue.list()));
      // Notifications made after the health was last saved know the newer health.
      for (const entry of pending)
        if (
          entry.health &&
          entry.createdAt >= (loaded?.savedAt ?? 0) &&
          !FILE_EVENTS.has(entry.event)
        )
          health.set(entry.job, entry.health);
      counts.pending = pending.length;
      if (pending.length > 0)
        logger.info({ notifications: pending.length }, "delivering queued notifications");
      loops ??= Promise.all([deliveryLoop(), lateLoop()]);
    },
    observe,
    lead,
    observeRejections,
    observeCatchUp,
    async stop() {
      halt.abort();
      await loops;
      await saved.flush();
    },
    lastSuccessAt: (job) => health.get(job)?.lastSuccessAt ?? null,
    health: (job) => health.get(job)?.state,
    since: (job) => health.get(job)?.since,
    counters: () => ({ ...counts, sent: { ...counts.sent }, failed: { ...counts.failed } }),
  };
}

/** "3 ticks (…)" from a missed summary's reason. */
function missedText(summary: RunSummary): string {
  const count = Number(/^(\d+) ticks? missed/.exec(summary.reason ?? "")?.[1] ?? 1);
  const reason = summary.reason ? ` (${summary.reason})` : "";
  return `${count === 1 ? "a tick" : `${count} ticks`}${reason}`;
}
