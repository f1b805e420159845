// How a started container ends: by itself, by its timeout, or stopped by the caller. Stopping is
// `docker stop` with a grace period: the image's stop signal (SIGTERM), SIGKILL when it runs out.

import { durationAsWritten } from "../text/duration.js";
import { engineStatus } from "./connection.js";
import type { ContainerApi } from "./containers.js";
import { type RunOutcome, StopRequest } from "./runtime.js";

export type Interruption =
  | { kind: "timeout"; afterMs: number }
  /** `requested`: a person stopped it (a StopRequest), recorded as `stopped`. */
  | { kind: "stopped"; why: string; requested?: boolean };

export interface Ending {
  exitCode: number;
  interruption?: Interruption;
}

export interface WaitForEndOptions {
  container: ContainerApi;
  /** Measured from `startedAt` (an adopted container started before we looked). */
  timeoutMs?: number;
  startedAt: Date;
  stop?: AbortSignal;
  stopGraceMs: number;
}

export async function waitForEnd(options: WaitForEndOptions): Promise<Ending> {
  const { container, stop } = options;
  let interruption: Interruption | undefined;
  let stopping: Promise<unknown> = Promise.resolve();
  const interrupt = (why: Interruption) => {
    if (interruption) return;
    interruption = why;
    stopping = container.stop(Math.ceil(options.stopGraceMs / 1000)).catch((err) => {
      // 304: it stopped by itself meanwhile; 404: someone removed it. Either way it ended.
      if (engineStatus(err) !== 304 && engineStatus(err) !== 404) throw err;
    });
  };
  const onAbort = () => {
    const reason: unknown = stop?.reason;
    interrupt(
      reason instanceof StopRequest
        ? { kind: "stopped", why: reason.why, requested: true }
        : { kind: "stopped", why: stopReason(reason) },
    );
  };
  const { timeoutMs } = options;
  const remainingMs =
    timeoutMs === undefined ? 0 : timeoutMs - (Date.now() - options.startedAt.getTime());
  const timer =
    timeoutMs !== undefined
      ? setTimeout(
          () => interrupt({ kind: "timeout", afterMs: timeoutMs }),
          Math.max(0, remainingMs),
        )
      : undefined;
  if (stop?.aborted) onAbort();
  else stop?.addEventListener("abort", onAbort, { once: true });
  try {
    const waited = await container.wait();
    await stopping;
    // Docker omits StatusCode when it is 0.
    return { exitCode: waited.StatusCode ?? 0, interruption };
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener("abort", onAbort);
  }
}

/** `abort("replaced by a newer run")` reads "stopped: replaced by a newer run". */
function stopReason(reason: unknown): string {
  if (typeof reason === "string" && reason.trim()) return reason.trim();
  if (reason instanceof Error && reason.name !== "AbortError" && reason.message)
    return reason.message;
  return "on request";
}

export interface Verdict {
  outcome: RunOutcome;
  reason: string | null;
}

export function verdictFor(
  ending: Ending,
  state: { OOMKilled?: boolean },
  options: { stopGraceMs: number; memoryBytes?: number },
): Verdict {
  const { exitCode, interruption } = ending;
  // 137: SIGTERM was not enough.
  const how = `with SIGTERM${exitCode === 137 ? `, then SIGKILL after the ${durationAsWritten(options.stopGraceMs)} grace period` : ""}`;
  if (interruption?.kind === "timeout")
    return {
      outcome: "timeout",
      reason: `timed out after ${durationAsWritten(interruption.afterMs)}; stopped ${how}`,
    };
  if (interruption?.kind === "stopped" && interruption.requested)
    return { outcome: "stopped", reason: `stopped by request (${interruption.why}) ${how}` };
  const outcome: RunOutcome = exitCode === 0 ? "succeeded" : "failed";
  if (interruption?.kind === "stopped") return { outcome, reason: `stopped: ${interruption.why}` };
  if (state.OOMKilled) {
    const limit = options.memoryBytes ? ` (limit ${formatBytes(options.memoryBytes)})` : "";
    return { outcome: "failed", reason: `killed: out of memory${limit}` };
  }
  return { outcome, reason: null };
}

const formatBytes = (bytes: number) =>
  bytes % 1024 ** 3 === 0
    ? `${bytes / 1024 ** 3}Gi`
    : bytes % 1024 ** 2 === 0
      ? `${bytes / 1024 ** 2}Mi`
      : `${bytes} bytes`;
