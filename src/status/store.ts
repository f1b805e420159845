// The agent's one door to the status branch. A finished run is on disk (the outbox) before
// record() resolves; a background loop batches what is pending into one commit at most every
// flushMs, backs off while the remote is down, and removes outbox entries only once the
// branch holds them. Entries left by a previous process are replayed at start.

import { join } from "node:path";
import { type Clock, systemClock } from "../core/clock.js";
import { Events } from "../events.js";
import type { GitAccess } from "../git/run.js";
import type { Logger } from "../log.js";
import type { Redactor } from "../secrets/redactor.js";
import type { PageLinks } from "../text/page-links.js";
import {
  type PublishInput,
  type PublishResult,
  type RefUpdate,
  StatusBranchWriter,
} from "./branch.js";
import { gitErrorText } from "./git.js";
import { byScheduled } from "./journal.js";
import { createOutbox, recordKey } from "./outbox.js";
import { type StatusState, stateKey } from "./state.js";
import type { RunSummary } from "./summary.js";

export interface StatusPublisher {
  publish(input: PublishInput): Promise<PublishResult>;
  /** Milliseconds until views that lag the journal are due, or null when none lag. */
  viewsDueInMs?(): number | null;
  /** A job's runs as the branch held them at the last publish (oldest first). */
  runsOf?(job: string): Promise<RunSummary[]>;
  /** The same for several jobs at once (a job with no runs may be left out). */
  runsOfJobs?(jobs: readonly string[]): Promise<Map<string, RunSummary[]>>;
}

export interface StatusStoreOptions {
  dataDir: string;
  repoUrl: string;
  branch: string;
  /** The agent id: the journal's files are named after it. */
  agent: string;
  history: number;
  /** Journal days kept on the branch (null: forever). */
  keepMs?: number | null;
  /** How often the views (jobs/<name>.json, README.md) are written at most. */
  viewsEveryMs?: number;
  /** Bytes of log tail a succeeded run keeps on the branch. */
  succeededTailBytes?: number;
  /** At most one push per this many ms (GitHub asks for no more than 6 a minute). */
  flushMs: number;
  logger: Logger;
  clock?: Clock;
  /** Replaces the git writer (tests of faults). */
  writer?: StatusPublisher;
  /** Everything written to the branch passes through it. */
  redactor?: Redactor;
  /** The state as it is now, asked for at each publish, so that what the branch shows (a
   * job's next run) is never older than the runs of the same commit. */
  refreshState?: () => StatusState;
  /** How the writer's git reaches the status repository. */
  git: Omit<GitAccess, "remoteUrl">;
  /** Longest wait between attempts while the remote is down. */
  maxBackoffMs?: number;
  /** The README links each job to its page (`--public-url`). */
  links?: PageLinks;
  /** How long stop() tries its final push before leaving the rest in the outbox. */
  stopTimeoutMs?: number;
  /** Asked before each push for a ref to move in the same push (the leader's lease renewal);
   * told the commit it moved to, or null. */
  alongside?: () => Promise<Alongside | null>;
}

export interface Alongside {
  update: RefUpdate;
  settle(moved: string | null): void;
}

export interface StatusCounters {
  /** Runs accepted by record(). */
  recorded: number;
  /** Pushes that reached the remote. */
  pushes: number;
  /** Publish attempts that failed (each one is retried). */
  failures: number;
  /** Summaries waiting in the outbox. */
  pending: number;
  lastPushAt: string | null;
}

export interface StatusEvents {
  published: { pushed: boolean; commit?: string; summaries: number; appended: number };
  "publish:failed": { message: string; retryInMs: number };
}

export interface StatusStore {
  readonly events: Events<StatusEvents>;
  /** Resolves once the summary is durably in the outbox; retries a failed write until it
   * succeeds, and rejects only if the store stops first. */
  record(summary: RunSummary): Promise<void>;
  /** The next push writes this as state.json. */
  setState(state: StatusState): void;
  /** Publishes everything pending now, whatever the rate limit; throws when the push fails. */
  flush(): Promise<PublishResult>;
  /** Replays the outbox and starts the background loop. Safe to call twice. */
  start(): void;
  /** Stops the loop and makes one last bounded attempt to push. Safe to call twice. */
  stop(): Promise<void>;
  counters(): StatusCounters;
  /** A job's runs, oldest first: those the branch holds and those still waiting to be pushed,
   * at most the branch's --history. */
  runsOf(job: string): Promise<RunSummary[]>;
  /** runsOf for several jobs at once, in one read of the branch. */
  runsOfJobs(jobs: readonly string[]): Promise<Map<string, RunSummary[]>>;
}

const DEFAULT_MAX_BACKOFF_MS = 5 * 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;

export function createStatusStore(options: StatusStoreOptions): StatusStore {
  const { logger, flushMs } = options;
  const clock = options.clock ?? systemClock;
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const outbox = createOutbox({ dir: join(options.dataDir, "outbox"), logger });
  const writer =
    options.writer ??
    new StatusBranchWriter({
      dir: join(options.dataDir, "status"),
      repoUrl: options.repoUrl,
      branch: options.branch,
      agent: options.agent,
      history: options.history,
      logger,
      ...(options.keepMs !== undefined && { keepMs: options.keepMs }),
      ...(options.viewsEveryMs !== undefined && { viewsEveryMs: options.viewsEveryMs }),
      ...(options.succeededTailBytes !== undefined && {
        succeededTailBytes: options.succeededTailBytes,
      }),
      ...options.git,
      ...(options.redactor && { redactor: options.redactor }),
      ...(options.links && { links: options.links }),
    });
  const events = new Events<StatusEvents>((err) => logger.error({ err }, "status listener failed"));

  const pending = new Map<string, RunSummary>();
  let state: StatusState | null = null;
  // The key of `state`, computed once per state: 20,000 jobs make it a few MB of JSON.
  let currentKey: string | null = null;
  const keyOfCurrent = (of: StatusState) => {
    if (of !== state) return stateKey(of);
    currentKey ??= stateKey(of);
    return currentKey;
  };
  let publishedStateKey: string | null = null;
  const counts = { recorded: 0, pushes: 0, failures: 0, lastPushAt: null as string | null };

  let replayed: Promise<void> = Promise.resolve();
  let loopDone: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  const stopSignal = new AbortController();
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };
  // One publish at a time: the loop, flush() and stop() all go through this chain.
  let chain: Promise<unknown> = Promise.resolve();

  const stateDirty = () => state !== null && keyOfCurrent(state) !== publishedStateKey;
  const hasWork = () => pending.size > 0 || stateDirty();
  /** Views that lag the journal and are due now (the writer writes them at most so often). */
  const viewsDueNow = () => (writer.viewsDueInMs?.() ?? 1) <= 0;

  const publishPending = async (final = false): Promise<PublishResult> => {
    await replayed;
    if (!hasWork() && !final && !viewsDueNow()) return { pushed: false, appended: 0 };
    const ids = [...pending.keys()].sort();
    const summaries = ids.map((id) => pending.get(id) as RunSummary);
    if (state && options.refreshState) {
      state = options.refreshState();
      currentKey = null;
    }
    const snapshot = state;
    const ride = (await options.alongside?.()) ?? null;
    let moved: string | null = null;
    try {
      const result = await writer.publish({
        summaries,
        state: snapshot,
        final,
        ...(ride && { alongside: ride.update }),
      });
      moved = result.alongside ?? null;
      // Only now that the branch holds them may the outbox forget them.
      await outbox.remove(ids);
      for (const id of ids) pending.delete(id);
      if (snapshot) publishedStateKey = keyOfCurrent(snapshot);
      if (result.pushed) {
        counts.pushes++;
        counts.lastPushAt = clock.now().toISOString();
      }
      events.emit("published", {
        pushed: result.pushed,
        summaries: summaries.length,
        appended: result.appended,
        ...(result.commit && { commit: result.commit }),
      });
      return result;
    } catch (err) {
      counts.failures++;
      throw err;
    } finally {
      ride?.settle(moved);
    }
  };
  const publish = (final = false) => {
    const run = chain.then(() => publishPending(final));
    chain = run.catch(() => undefined);
    return run;
  };

  const loop = async () => {
    let lastAttemptAt = Number.NEGATIVE_INFINITY;
    let backoffMs = 0;
    while (!stopSignal.signal.aborted) {
      if (!hasWork() && !viewsDueNow()) {
        // Asleep until a run comes, or until the views that lag are due.
        const views = writer.viewsDueInMs?.() ?? null;
        const woken = new AbortController();
        const stop = () => woken.abort();
        stopSignal.signal.addEventListener("abort", stop, { once: true });
        wake = stop;
        if (views === null) await new Promise((r) => woken.signal.addEventListener("abort", r));
        else await clock.sleep(views, woken.signal);
        stopSignal.signal.removeEventListener("abort", stop);
        continue;
      }
      const wait = lastAttemptAt + (backoffMs || flushMs) - clock.now().getTime();
      if (wait > 0) {
        await clock.sleep(wait, stopSignal.signal);
        continue;
      }
      lastAttemptAt = clock.now().getTime();
      try {
        await publish();
        backoffMs = 0;
      } catch (err) {
        backoffMs = Math.min(Math.max(flushMs, backoffMs * 2), maxBackoffMs);
        const message = gitErrorText(err, options.git);
        logger.warn(
          { pending: pending.size, retryInMs: backoffMs, err: message },
          "status push failed; runs stay in the outbox",
        );
        events.emit("publish:failed", { message, retryInMs: backoffMs });
      }
    }
  };

  const replay = async () => {
    try {
      const entries = await outbox.list();
      for (const e of entries) pending.set(e.id, e.summary);
      if (entries.length > 0) logger.info({ runs: entries.length }, "replaying the status outbox");
    } catch (err) {
      logger.error({ err: gitErrorText(err) }, "cannot read the status outbox");
    }
  };

  /** What the branch holds of a job plus what still waits in the outbox, oldest first. */
  const withPending = (job: string, published: readonly RunSummary[]): RunSummary[] => {
    const known = new Set(published.map(recordKey));
    const waiting = [...pending.values()].filter((s) => s.job === job && !known.has(recordKey(s)));
    return [...published, ...waiting].sort(byScheduled).slice(-options.history);
  };

  return {
    events,
    async record(summary) {
      counts.recorded++;
      // Until it is on disk the run's container is kept (the caller awaits this): the write is
      // retried with backoff while the disk is full or read-only, and given up only when the
      // store stops, so that the next start records the run from its container.
      for (let failures = 0; ; failures++) {
        try {
          const entry = await outbox.append(summary);
          pending.set(entry.id, summary);
          if (failures > 0) logger.info({ run: summary.run }, "the run's record is written now");
          nudge();
          return;
        } catch (err) {
          if (failures % 10 === 0) {
            logger.error(
              { err: gitErrorText(err), run: summary.run, attempts: failures + 1 },
              "cannot write the run's record; its container is kept and the write retried",
            );
          }
          if (stopSignal.signal.aborted) throw err;
          await clock.sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), stopSignal.signal);
          if (stopSignal.signal.aborted) throw err;
        }
      }
    },
    setState(next) {
      state = next;
      currentKey = null;
      nudge();
    },
    flush: publish,
    start() {
      if (loopDone || stopping) return;
      replayed = replay();
      loopDone = replayed.then(loop);
    },
    stop() {
      stopping ??= (async () => {
        stopSignal.abort();
        nudge();
        await loopDone;
        // Views that lag the journal are written at stop, runs or not.
        if (!hasWork() && (writer.viewsDueInMs?.() ?? null) === null) return;
        // Cancelled once the push ends, so no timer keeps the process alive after it.
        const giveUp = new AbortController();
        const timeout = clock
          .sleep(options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, giveUp.signal)
          .then(() => "timeout" as const);
        try {
          const outcome = await Promise.race([publish(true), timeout]);
          if (outcome === "timeout")
            logger.warn(
              { pending: pending.size },
              "final status push timed out; the outbox keeps the runs",
            );
        } catch (err) {
          logger.warn(
            { pending: pending.size, err: gitErrorText(err, options.git) },
            "final status push failed; the outbox keeps the runs for the next start",
          );
        } finally {
          giveUp.abort();
        }
      })();
      return stopping;
    },
    counters: () => ({ ...counts, pending: pending.size }),
    async runsOf(job) {
      return withPending(job, (await writer.runsOf?.(job)) ?? []);
    },
    async runsOfJobs(jobs) {
      const published = writer.runsOfJobs
        ? await writer.runsOfJobs(jobs)
        : new Map(await Promise.all(jobs.map(async (j) => [j, await this.runsOf(j)] as const)));
      return new Map(jobs.map((job) => [job, withPending(job, published.get(job) ?? [])]));
    },
  };
}
