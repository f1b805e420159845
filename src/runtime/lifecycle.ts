// The steps a run's container goes through that a new run and an adopted one share: output
// piped from the engine, the end awaited, the result handed over, the container removed.

import type { Readable } from "node:stream";
import { oneLine } from "../errors.js";
import type { Logger } from "../log.js";
import { describeEngineError, engineStatus } from "./connection.js";
import type { ContainerApi } from "./containers.js";
import { demultiplex } from "./demux.js";
import { type Ending, verdictFor, waitForEnd } from "./ending.js";
import type { EngineClient } from "./engine.js";
import type { RunOutput } from "./output.js";
import type { RunOptions, RunResult } from "./runtime.js";

/** What every step needs to talk to the engine. */
export interface EngineContext {
  client: EngineClient;
  stopGraceMs: number;
}

/** How long to wait for the last output after the container has exited. */
const OUTPUT_DRAIN_MS = 5_000;

/** Demultiplexes an attach or logs stream into the run's output; resolves when it ends. `tty`:
 * the container has a terminal, whose one stream comes raw. */
export const pipeOutput = (stream: Readable, output: RunOutput, tty: boolean): Promise<void> =>
  demultiplex(stream, (name, payload) => output.write(name, payload), tty);

/** Waits for the container's end (stopping it on timeout or request), the last of its output,
 * and its final state. */
export async function settle(
  engine: EngineContext,
  container: ContainerApi,
  drained: Promise<void>,
  output: RunOutput,
  end: { startedAt: Date; timeoutMs?: number; stop?: AbortSignal },
) {
  const ending = await waitForEnd({ container, stopGraceMs: engine.stopGraceMs, ...end });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([drained, new Promise((r) => (timer = setTimeout(r, OUTPUT_DRAIN_MS)))]);
  clearTimeout(timer);
  output.end();
  return { ending, state: await endState(container) };
}

/** The ended container's state, or nothing more than its exit code when it is gone already: an
 * agent sharing our id (the run's creator, or another adopter) records a run before it removes
 * its container, and we saw the same end. */
async function endState(
  container: ContainerApi,
): Promise<{ OOMKilled?: boolean; FinishedAt?: string }> {
  try {
    return (await container.inspect()).State;
  } catch (err) {
    if (engineStatus(err) === 404) return {};
    throw err;
  }
}

/** An instant the engine reported (`0001-01-01T00:00:00Z` means none), if it is one at or
 * after `notBefore`. */
export function engineInstant(text: string | undefined, notBefore: Date): Date | undefined {
  const at = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(at) && at >= notBefore.getTime() ? new Date(at) : undefined;
}

export interface FinishedRun {
  runId: string;
  startedAt: Date;
  ending: Ending;
  state: { OOMKilled?: boolean };
  /** When the engine says the run ended; default: now (when its end was read). */
  finishedAt?: Date | undefined;
  tail: string;
  digest: string | null;
  adopted: boolean;
  memoryBytes?: number;
}

export function finishedResult(engine: EngineContext, run: FinishedRun, log: Logger): RunResult {
  const verdict = verdictFor(run.ending, run.state, {
    stopGraceMs: engine.stopGraceMs,
    memoryBytes: run.memoryBytes,
  });
  const result: RunResult = {
    runId: run.runId,
    outcome: verdict.outcome,
    exitCode: run.ending.exitCode,
    reason: verdict.reason,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? new Date(),
    imageDigest: run.digest,
    logTail: run.tail,
    adopted: run.adopted,
  };
  const { outcome, exitCode, reason, adopted } = result;
  // A failed or timed-out run is what log-based alerting looks for (SPEC §3, "Logs").
  log[outcome === "succeeded" ? "info" : "warn"](
    { outcome, exitCode, reason, adopted },
    "run finished",
  );
  return result;
}

export function errorResult(
  failure: { runId: string; began: Date; reason: string; logTail?: string; adopted?: boolean },
  log: Logger,
): RunResult {
  const reason = oneLine(new Error(failure.reason));
  log.warn({ outcome: "error", reason }, "run could not run");
  return {
    runId: failure.runId,
    outcome: "error",
    exitCode: null,
    reason,
    startedAt: failure.began,
    finishedAt: new Date(),
    imageDigest: null,
    logTail: failure.logTail ?? "",
    adopted: failure.adopted ?? false,
  };
}

/** Gives the result to `onResult` and only then removes the container: if storing it fails, the
 * container stays so that the next adoption records the run instead of losing it. */
export async function handOver(
  engine: EngineContext,
  result: RunResult,
  options: { runOptions: RunOptions; container?: ContainerApi; log: Logger },
): Promise<RunResult> {
  try {
    await options.runOptions.onResult?.(result);
  } catch (err) {
    options.log.error(
      { err: oneLine(err) },
      "the run's result could not be stored; its container is kept for adoption",
    );
    return result;
  }
  if (options.container) await removeContainer(engine, options.container, options.log);
  return result;
}

export async function removeContainer(engine: EngineContext, container: ContainerApi, log: Logger) {
  try {
    await container.remove();
  } catch (err) {
    // 404: already gone; 409: removal already in progress (another adopter).
    const status = engineStatus(err);
    if (status !== 404 && status !== 409) {
      log.warn(
        { container: container.id, err: describeEngineError(err, engine.client.address) },
        "could not remove the container",
      );
    }
  }
}
