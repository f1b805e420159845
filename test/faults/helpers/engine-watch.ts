// The fault suite's eyes on the engines: each engine's container events, subscribed from the
// first moment of a test and read up to "now" when it stops, folded by engine-events.ts. An
// engine that errors, or a stream that ends while the test watches, fails the test: a watch
// that quietly saw nothing would let every promise pass.

import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import { LABEL } from "../../../src/runtime/names.js";
import {
  CONTAINER_ACTIONS,
  type EngineEvent,
  type EngineReport,
  foldEngineEvents,
  unexplained,
} from "./engine-events.js";

export interface EngineWatch {
  /** The report so far, without stopping; throws once an engine or its stream failed. */
  report(): EngineReport;
  /** Reads every event up to now, checks them against the containers each engine lists, and
   * stops. Throws when an engine failed, a stream ended early, or the events miss a container. */
  stop(): Promise<EngineReport>;
}

// The label filter takes a key, not a prefix: the fold keeps the test's own jobs.
const FILTERS: Dockerode.GetEventsOptions["filters"] = {
  type: ["container"],
  label: [LABEL.job],
  event: [...CONTAINER_ACTIONS],
};

/** The engine's since and until: seconds, with the fraction it reads as such. */
const stamp = (ms: number) => ms / 1000;

/** Reads the engine's JSON lines into `onEvent`: resolves when the stream ends, rejects on its
 * error or a line that is not JSON. */
function readEvents(stream: Readable, onEvent: (e: EngineEvent) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (buffered + chunk).split("\n");
      buffered = lines.pop() ?? "";
      try {
        for (const line of lines) if (line.trim()) onEvent(JSON.parse(line) as EngineEvent);
      } catch (err) {
        reject(err);
      }
    });
    stream.on("error", reject);
    stream.on("end", resolve);
    stream.on("close", resolve);
  });
}

/** One engine's events of the test's jobs from `sinceMs` on, kept once each (the live stream
 * and the final read overlap). */
function subscribe(docker: Dockerode, prefix: string, sinceMs: number) {
  const events: EngineEvent[] = [];
  const keys = new Set<string>();
  /** The newest event of any job read so far (ms). */
  let newest = sinceMs;
  const add = (e: EngineEvent) => {
    newest = Math.max(newest, Math.floor(e.timeNano / 1e6));
    if (!(e.Actor.Attributes?.[LABEL.job] ?? "").startsWith(prefix)) return;
    const key = `${e.Actor.ID} ${e.Action} ${e.timeNano}`;
    if (keys.has(key)) return;
    keys.add(key);
    events.push(e);
  };
  let failure: Error | undefined;
  let stopping = false;
  let stream: Readable | undefined;
  const fail = (why: string, err?: unknown) => {
    if (!stopping) failure ??= new Error(err ? `${why}: ${(err as Error).message}` : why);
  };
  // `since` replays what the engine logged between the call and the subscription.
  void docker.getEvents({ since: stamp(sinceMs), filters: FILTERS }).then(
    (response) => {
      const live = response as Readable;
      stream = live;
      if (stopping) live.destroy();
      return readEvents(live, add).then(
        () => fail("the engine's event stream ended while the test watched"),
        (err) => fail("the engine's event stream failed", err),
      );
    },
    (err) => fail("cannot subscribe to the engine's events", err),
  );

  const readUntil = async (untilMs: number) => {
    // From a second before the newest event read: the engine stamps an event before it queues
    // it, so two may arrive a little out of order.
    const since = stamp(Math.min(newest - 1_000, untilMs));
    const past = await docker.getEvents({ since, until: stamp(untilMs), filters: FILTERS });
    await readEvents(past as Readable, add);
  };

  return {
    events,
    failure: () => failure,
    /** Reads the events up to after a listing of the engine's containers and checks the two
     * agree; a container the engine registers just before it logs the event gets a second look. */
    async close(): Promise<void> {
      try {
        let missing: string[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          if (failure) throw failure;
          if (attempt > 0) await new Promise((r) => setTimeout(r, 200));
          const listedAt = Date.now();
          const listed = await docker.listContainers({
            all: true,
            filters: { label: [LABEL.job] },
          });
          await readUntil(Date.now());
          const ours = listed.map((c) => ({ id: c.Id, job: c.Labels?.[LABEL.job] ?? "" }));
          missing = unexplained(events, prefix, ours, listedAt * 1e6);
          if (missing.length === 0) return;
        }
        throw new Error(`the engine's events missed containers: ${missing.join("; ")}`);
      } finally {
        stopping = true;
        stream?.destroy();
      }
    },
  };
}

/** Watches the containers of jobs whose name starts with `prefix` on every engine in `engines`;
 * the report folds their events together, in time order (one host's clock). */
export function watchEngines(engines: readonly Dockerode[], prefix: string): EngineWatch {
  const subscriptions = engines.map((docker) => subscribe(docker, prefix, Date.now()));
  const report = () => {
    for (const s of subscriptions) {
      const failure = s.failure();
      if (failure) throw failure;
    }
    return foldEngineEvents(
      subscriptions.flatMap((s) => s.events),
      prefix,
    );
  };
  let stopped: Promise<EngineReport> | undefined;
  return {
    report,
    stop() {
      // Every engine's stream closed before the first failure is thrown.
      stopped ??= Promise.allSettled(subscriptions.map((s) => s.close())).then((closed) => {
        for (const c of closed) if (c.status === "rejected") throw c.reason;
        return report();
      });
      return stopped;
    },
  };
}

export const watchEngine = (docker: Dockerode, prefix: string): EngineWatch =>
  watchEngines([docker], prefix);
