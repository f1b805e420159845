// Following a run's container that someone else created — another caller for the same tick
// (the engine refused our create with 409) or the agent before a restart: read its output from
// the logs, wait for its end, record it once, remove it.

import type { ContainerInspectInfo } from "dockerode";
import type { Logger } from "../log.js";
import { describeEngineError, engineStatus } from "./connection.js";
import type { ContainerApi } from "./containers.js";
import { digestOf, inspectImageInfo } from "./images.js";
import {
  type EngineContext,
  engineInstant,
  errorResult,
  finishedResult,
  handOver,
  pipeOutput,
  settle,
} from "./lifecycle.js";
import { LABEL } from "./names.js";
import { createRunOutput, type RunOutput } from "./output.js";
import type { RunOptions, RunResult } from "./runtime.js";

export interface FollowOptions {
  runOptions: RunOptions;
  log: Logger;
  began: Date;
  /** How long a container may stay "created" (between another caller's create and start). */
  createdGraceMs: number;
  /** The job's timeout, from the container's start; known after a name conflict. */
  timeoutMs?: number;
  runId?: string;
  /** False when the caller created the run itself (a Swarm service is followed this way too). */
  adopted?: boolean;
  /** The agent whose run this must be: a container labelled otherwise is never followed,
   * stopped, recorded or removed (SPEC §4, "Other repositories"). */
  agent: string;
}

/** Never rejects. */
export async function follow(
  engine: EngineContext,
  container: ContainerApi,
  options: FollowOptions,
): Promise<RunResult> {
  const { log, runOptions } = options;
  const adopted = options.adopted ?? true;
  let runId = options.runId ?? "";
  let secrets: string[] = [];
  let output: RunOutput | undefined;
  let result: RunResult;
  try {
    let info = await inspectOnceCreated(container, options.createdGraceMs);
    const labelledRun = info.Config.Labels?.[LABEL.run];
    const owner = info.Config.Labels?.[LABEL.agent];
    if (!labelledRun || owner !== options.agent) {
      const name = info.Name.replace(/^\//, "");
      const whose = !labelledRun
        ? "is not a gitcron run"
        : `belongs to another agent (${owner ?? "no gitcron.agent label"})`;
      // Not ours: recorded as our run's error, and the container is left exactly as it is.
      const reason = `a container named ${name} ${whose}; it was left alone`;
      return await handOver(
        engine,
        errorResult({ runId, began: options.began, reason, adopted }, log),
        { runOptions, log },
      );
    }
    runId = labelledRun;
    info = await waitWhileCreated(container, info, options.createdGraceMs);
    if (info.State.Status === "created") {
      const reason =
        "the container was created but never started (an agent stopped in between); removed it";
      return await handOver(
        engine,
        errorResult({ runId, began: options.began, reason, adopted }, log),
        {
          runOptions,
          container,
          log,
        },
      );
    }
    secrets = secretsOf(info);
    output = createRunOutput({ secrets, logger: log, onLine: runOptions.onLine });
    const logs = await container.logs();
    const drained = pipeOutput(logs, output, info.Config.Tty === true);
    const startedAt = new Date(info.State.StartedAt);
    runOptions.onStart?.({ startedAt, containerId: info.Id, adopted });
    const { ending, state } = await settle(engine, container, drained, output, {
      startedAt,
      timeoutMs: options.timeoutMs,
      stop: runOptions.stop,
    });
    const digest = await imageDigestOf(engine, info);
    // The engine's own start and finish: a run that ended while no agent followed it lasted
    // until its end, not until it was adopted.
    const finishedAt = engineInstant(state.FinishedAt, startedAt);
    result = finishedResult(
      engine,
      { runId, startedAt, finishedAt, ending, state, tail: output.tail(), digest, adopted },
      log,
    );
  } catch (err) {
    output?.end();
    const reason =
      engineStatus(err) === 404
        ? "the run's container was removed by someone else before its end could be read"
        : describeEngineError(err, engine.client.address, secrets);
    result = errorResult(
      { runId, began: options.began, reason, logTail: output?.tail(), adopted },
      log,
    );
  }
  return handOver(engine, result, { runOptions, container, log });
}

/** The engine reserves a name before the container can be inspected: right after our create
 * failed with a name conflict, the other creator's container may answer 404 for a moment. */
async function inspectOnceCreated(container: ContainerApi, graceMs: number) {
  const deadline = Date.now() + Math.min(graceMs, 2_000);
  for (;;) {
    try {
      return await container.inspect();
    } catch (err) {
      if (engineStatus(err) !== 404 || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function waitWhileCreated(
  container: ContainerApi,
  info: ContainerInspectInfo,
  graceMs: number,
) {
  const deadline = Date.now() + graceMs;
  let current = info;
  while (current.State.Status === "created" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    current = await container.inspect();
  }
  return current;
}

/** The values of the container's variables named in the redact label: the adopter did not
 * resolve them, but must mask them all the same. */
function secretsOf(info: ContainerInspectInfo): string[] {
  const names = new Set((info.Config.Labels?.[LABEL.redact] ?? "").split(",").filter(Boolean));
  return (info.Config.Env ?? []).flatMap((pair) => {
    const eq = pair.indexOf("=");
    return names.has(pair.slice(0, eq)) && eq < pair.length - 1 ? [pair.slice(eq + 1)] : [];
  });
}

async function imageDigestOf(engine: EngineContext, info: ContainerInspectInfo) {
  try {
    return digestOf(await inspectImageInfo(engine.client, info.Image), info.Config.Image);
  } catch {
    return info.Image || null;
  }
}
