// Every --interval, and at once when asked (a webhook, a watched folder), run one sync step.
// Failures back off (doubling, capped) and are counted; the last good specs keep running.

import type { Clock } from "../core/clock.js";
import { oneLine } from "../errors.js";
import type { Logger } from "../log.js";

export interface SyncOutcome {
  at: Date;
  errors: number;
  lastError?: { at: Date; message: string };
}

export interface SyncLoop {
  /** Resolves after the first successful step. */
  firstSuccess: Promise<void>;
  readonly succeeded: boolean;
  readonly errorCount: number;
  readonly lastError: { at: Date; message: string } | undefined;
  /** Run a step as soon as the current one ends; calls during a step coalesce into one. */
  request(): void;
  /** Resolves after the next step that starts after this call has ended. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export function startSyncLoop(options: {
  clock: Clock;
  intervalMs: number;
  logger: Logger;
  step: (signal: AbortSignal) => Promise<{ changed: boolean }>;
  after: (outcome: SyncOutcome) => void;
}): SyncLoop {
  const { clock, logger } = options;
  let wake = new AbortController();
  const halt = new AbortController();
  let requested = false;
  let succeeded = false;
  let errorCount = 0;
  let consecutive = 0;
  let lastError: { at: Date; message: string } | undefined;
  let waiters: (() => void)[] = [];
  let markReady: () => void = () => {};
  const firstSuccess = new Promise<void>((r) => {
    markReady = r;
  });

  const loop = (async () => {
    while (!halt.signal.aborted) {
      requested = false;
      const finished = waiters;
      waiters = [];
      try {
        await options.step(halt.signal);
        consecutive = 0;
        if (!succeeded) {
          succeeded = true;
          markReady();
        }
      } catch (err) {
        errorCount++;
        // Retrying sooner will not fix a rejected revision (an unsigned commit): wait for a new one.
        if ((err as { retryable?: boolean }).retryable !== false) consecutive++;
        lastError = { at: clock.now(), message: oneLine(err) };
        logger.warn({ errors: errorCount, consecutive }, `sync failed: ${lastError.message}`);
      }
      try {
        options.after({ at: clock.now(), errors: errorCount, ...(lastError && { lastError }) });
      } catch (err) {
        logger.error({ err }, "publishing the sync state failed");
      }
      for (const done of finished) done();
      if (halt.signal.aborted) break;
      if (requested) continue;
      const delay =
        consecutive === 0
          ? options.intervalMs
          : Math.min(MAX_BACKOFF_MS, options.intervalMs * 2 ** consecutive);
      wake = new AbortController();
      await clock.sleep(delay, wake.signal);
    }
    for (const done of waiters) done();
  })();

  const request = () => {
    requested = true;
    wake.abort();
  };

  return {
    firstSuccess,
    get succeeded() {
      return succeeded;
    },
    get errorCount() {
      return errorCount;
    },
    get lastError() {
      return lastError;
    },
    request,
    syncNow: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        request();
      }),
    stop: async () => {
      halt.abort();
      wake.abort();
      await loop;
    },
  };
}
