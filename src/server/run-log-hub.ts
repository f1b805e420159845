// The output of the runs going on, for those who follow them over HTTP (`gitcron trigger
// --follow`, `gitcron logs -f`): each run's recent lines, its start and its end, kept in memory
// within bounds and handed to followers as they come. Lines arrive with the job's secrets masked
// (the runtime did that); the HTTP sink passes them through the agent's redactor as well.
//
// Bounded: a run keeps its last MAX_RUN_BYTES of lines (older ones are counted, not kept), and
// an ended run is kept KEEP_ENDED_MS for a follower that connects just after it ended (a run that
// ends before `gitcron trigger --wait` has connected), at most KEEP_ENDED of them.

import type { Events } from "../events.js";
import type { OutputLine } from "../runtime/runtime.js";
import type { SchedulerEvents } from "../scheduler/events.js";
import type { RunSummary } from "../status/summary.js";

export const RUN_LOG_LIMITS = {
  maxRunBytes: 64 * 1024,
  keepEnded: 64,
  keepEndedMs: 10 * 60_000,
};

export type LogEvent =
  | { type: "start"; run: string }
  /** `dropped`: lines not kept before this one (the run printed more than the hub keeps). */
  | { type: "line"; run: string; stream: OutputLine["stream"]; text: string }
  | { type: "dropped"; run: string; lines: number }
  /** `final`: no retry of this run follows. */
  | {
      type: "end";
      run: string;
      outcome: RunSummary["outcome"];
      exitCode: number | null;
      reason: string | null;
      final: boolean;
    };

interface RunBuffer {
  job: string;
  events: LogEvent[];
  bytes: number;
  dropped: number;
  endedAt: number | null;
}

/** A run's id without its attempt: the same for a run and its retries. */
export const runChain = (runId: string) => runId.replace(/-\d+$/, "");

export interface RunLogHub {
  /** What is kept of the job's runs that `match` (those going on, and with `ended` those that
   * ended lately too), then every later event of them through `listener` until off(). */
  follow(
    job: string,
    match: (run: string) => boolean,
    listener: (event: LogEvent) => void,
    options?: { ended?: boolean },
  ): { replay: LogEvent[]; off(): void };
  /** Whether the hub holds anything of this run's chain. */
  knows(job: string, run: string): boolean;
  close(): void;
}

export function createRunLogHub(options: {
  events: Events<SchedulerEvents>;
  /** Whether a retry of this recorded attempt will follow (retryable outcome, retries left). */
  willRetry: (summary: RunSummary) => boolean;
  now?: () => number;
  limits?: Partial<typeof RUN_LOG_LIMITS>;
}): RunLogHub {
  const limits = { ...RUN_LOG_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const runs = new Map<string, RunBuffer>();
  const listeners = new Set<{
    job: string;
    match: (run: string) => boolean;
    listener: (e: LogEvent) => void;
  }>();

  const publish = (job: string, event: LogEvent) => {
    for (const l of listeners) if (l.job === job && l.match(event.run)) l.listener(event);
  };

  const forgetOld = () => {
    const ended = [...runs].filter(([, b]) => b.endedAt !== null);
    const cutoff = now() - limits.keepEndedMs;
    ended.forEach(([id, b], i) => {
      if ((b.endedAt as number) < cutoff || i < ended.length - limits.keepEnded) runs.delete(id);
    });
  };

  const bufferOf = (job: string, run: string): RunBuffer => {
    let b = runs.get(run);
    if (!b) {
      b = { job, events: [], bytes: 0, dropped: 0, endedAt: null };
      runs.set(run, b);
    }
    return b;
  };

  const add = (b: RunBuffer, event: LogEvent) => {
    b.events.push(event);
    if (event.type !== "line") return;
    b.bytes += event.text.length;
    while (b.bytes > limits.maxRunBytes) {
      const i = b.events.findIndex((e) => e.type === "line");
      const [old] = b.events.splice(i, 1);
      if (old?.type === "line") b.bytes -= old.text.length;
      b.dropped++;
    }
  };

  const offs = [
    options.events.on("run:launch", ({ job, runId }) => {
      forgetOld();
      const event: LogEvent = { type: "start", run: runId };
      add(bufferOf(job, runId), event);
      publish(job, event);
    }),
    options.events.on("run:line", ({ job, runId, line }) => {
      const event: LogEvent = { type: "line", run: runId, stream: line.stream, text: line.text };
      add(bufferOf(job, runId), event);
      publish(job, event);
    }),
    options.events.on("run:recorded", ({ summary }) => {
      const event: LogEvent = {
        type: "end",
        run: summary.run,
        outcome: summary.outcome,
        exitCode: summary.exitCode,
        reason: summary.reason,
        final: !options.willRetry(summary),
      };
      const b = bufferOf(summary.job, summary.run);
      add(b, event);
      b.endedAt = now();
      publish(summary.job, event);
    }),
  ];

  const replayOf = (b: RunBuffer): LogEvent[] => {
    if (b.dropped === 0) return b.events.slice();
    // Say where lines were let go: after the start, before the lines kept.
    const [first, ...rest] = b.events;
    const gap: LogEvent = { type: "dropped", run: first?.run ?? "", lines: b.dropped };
    return first?.type === "start" ? [first, gap, ...rest] : [gap, ...b.events];
  };

  return {
    follow(job, match, listener, followOptions = {}) {
      const replay = [...runs]
        .filter(
          ([id, b]) => b.job === job && match(id) && (followOptions.ended || b.endedAt === null),
        )
        .flatMap(([, b]) => replayOf(b));
      const entry = { job, match, listener };
      listeners.add(entry);
      return { replay, off: () => listeners.delete(entry) };
    },
    knows(job, run) {
      const chain = runChain(run);
      return [...runs].some(([id, b]) => b.job === job && runChain(id) === chain);
    },
    close() {
      for (const off of offs) off();
      listeners.clear();
      runs.clear();
    },
  };
}
