// A run's output over HTTP, for whoever may read (SPEC §4), as server-sent events:
//
//   GET /jobs/<name>/runs/<run>/log[?follow=1]  the run (and its retries): what is kept of it,
//       then with follow=1 its lines as they come, until its last attempt ends. A run not
//       started yet (queued) is waited for; one the agent no longer holds in memory is read
//       from the status branch (its log tail).
//   GET /jobs/<name>/log[?follow=1]  the job's running run, then with follow=1 every later run.
//
// Events: `start` {run}, `line` {run, stream, text}, `dropped` {run, lines} (older lines not
// kept), `end` {run, outcome, exitCode, reason, final}. Every event passes through the agent's
// redactor (the router's sink); a reader that falls behind is cut (the router's stream bound).

import type { RunSummary } from "../status/summary.js";
import type { Access } from "./auth.js";
import {
  EVENT_STREAM_HEADERS,
  type Request,
  type Response,
  type Route,
  type StreamSink,
} from "./http.js";
import { type LogEvent, type RunLogHub, runChain } from "./run-log-hub.js";

export const RUN_LOG_STREAMS = { maxStreams: 32, heartbeatMs: 25_000 };

export function runLogRoutes(options: {
  hub: RunLogHub;
  access: Access;
  /** Whether the job is applied. */
  hasJob: (job: string) => boolean;
  /** Whether the job has a run going, waiting or queued (a run id not seen yet may come). */
  pending: (job: string) => boolean;
  /** The job's recorded runs, oldest first (the status branch and the outbox). */
  runsOf: (job: string) => Promise<RunSummary[]>;
  limits?: Partial<typeof RUN_LOG_STREAMS>;
}): Route[] {
  const { hub, access } = options;
  const limits = { ...RUN_LOG_STREAMS, ...options.limits };
  let open = 0;

  const sse = (
    req: Request,
    body: (sink: StreamSink, send: (e: LogEvent) => void) => void,
  ): Response => {
    if (open >= limits.maxStreams)
      return { status: 503, body: { error: "too many logs followed at once; try again later" } };
    return {
      status: 200,
      headers: EVENT_STREAM_HEADERS,
      stream(sink) {
        open++;
        const heartbeat = setInterval(() => sink.write(": ping\n\n"), limits.heartbeatMs);
        sink.onClose(() => {
          open--;
          clearInterval(heartbeat);
        });
        body(sink, (e) => {
          const { type, ...data } = e;
          sink.event(type, data);
        });
        if (req.query.get("follow") !== "1") sink.end();
      },
    };
  };

  const notFound = (error: string, job: string): Response => ({
    status: 404,
    body: { error, job },
  });

  const recordedEvents = (summary: RunSummary): LogEvent[] => [
    { type: "start", run: summary.run },
    ...(summary.logTail
      ? summary.logTail
          .split("\n")
          .map((text): LogEvent => ({ type: "line", run: summary.run, stream: "stdout", text }))
      : []),
    {
      type: "end",
      run: summary.run,
      outcome: summary.outcome,
      exitCode: summary.exitCode,
      reason: summary.reason,
      final: true,
    },
  ];

  const runLog: Route = {
    method: "GET",
    pattern: "/jobs/:name/runs/:run/log",
    async handle(req) {
      const refused = access.read(req);
      if (refused) return refused;
      const job = req.params.name ?? "";
      const run = req.params.run ?? "";
      if (!options.hasJob(job)) return notFound(`no job named "${job}"`, job);
      if (!run.startsWith(`${job}-`)) return notFound(`"${run}" is not a run of job "${job}"`, job);
      const chain = runChain(run);
      if (!hub.knows(job, run) && !options.pending(job)) {
        const recorded = (await options.runsOf(job)).filter((s) => runChain(s.run) === chain);
        const last = recorded[recorded.length - 1];
        if (!last) return notFound(`no run "${run}" of job "${job}" is known`, job);
        return sse(req, (sink, send) => {
          for (const e of recordedEvents(last)) send(e);
          sink.end();
        });
      }
      return sse(req, (sink, send) => {
        const ends = (e: LogEvent) => e.type === "end" && e.final;
        const { replay, off } = hub.follow(
          job,
          (id) => runChain(id) === chain,
          (e) => {
            send(e);
            if (ends(e)) sink.end();
          },
          { ended: true },
        );
        sink.onClose(off);
        for (const e of replay) send(e);
        if (replay.some(ends)) sink.end();
      });
    },
  };

  const jobLog: Route = {
    method: "GET",
    pattern: "/jobs/:name/log",
    handle(req) {
      const refused = access.read(req);
      if (refused) return refused;
      const job = req.params.name ?? "";
      if (!options.hasJob(job)) return notFound(`no job named "${job}"`, job);
      return sse(req, (sink, send) => {
        const { replay, off } = hub.follow(job, () => true, send);
        sink.onClose(off);
        for (const e of replay) send(e);
      });
    },
  };

  return [runLog, jobLog];
}
