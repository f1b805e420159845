// The run both engine runtimes share: resolve the job's env → prepare (host paths, volumes,
// image, the container it would be; SPEC §4) → the engine's own start (a container on Docker, a
// service on Swarm, whose name is the tick's lock: a name taken means the run exists and is
// followed) → hand the result over. Listing, adopting and pinging are the same steps on either
// engine's objects. Only the leading agent of a repository starts runs (SPEC §3, src/lease), so
// no other lock is taken. Every failure becomes outcome `error` with one sentence; run() and
// adopt() never reject.

import { EnvironmentError } from "../errors.js";
import type { Logger } from "../log.js";
import { follow } from "./adoption.js";
import { connectDocker, describeEngineError } from "./connection.js";
import { resolveEnv } from "./container-config.js";
import type { ContainerApi } from "./containers.js";
import type { EngineClient } from "./engine.js";
import { type EngineContext, errorResult, handOver } from "./lifecycle.js";
import { type EngineRuntimeOptions, type PreparedContainer, prepareContainer } from "./prepare.js";
import type { ExistingRun, RunOptions, RunRequest, RunResult, Runtime } from "./runtime.js";

/** One run on its way to the engine, as the engine's own start receives it. */
export interface RunStart {
  request: RunRequest;
  runOptions: RunOptions;
  log: Logger;
  /** The values to mask in the run's output and errors. */
  secrets: string[];
  began: Date;
  prepared: PreparedContainer;
  /** Follows the run's engine object (one this start made, or one it found under the run's
   * name) to its result. */
  follow(object: ContainerApi, adopted: boolean): Promise<RunResult>;
}

/** What differs between the engines. */
export interface EngineSpecifics {
  readonly kind: Runtime["kind"];
  /** How long a run's object may wait to start (created, or pending placement) before whoever
   * follows it counts it as abandoned. */
  createdGraceMs: number;
  /** Whether the start pulls the image itself when the engine lacks it (prepare leaves it). */
  imageLater(request: RunRequest): boolean;
  /** A run's engine object, by its id or name. */
  objectOf(id: string): ContainerApi;
  /** Creates the run's object and follows it to its result. Rejects only before the object
   * exists; after, its failures are the result's. */
  start(run: RunStart): Promise<RunResult>;
  /** The runs of `agent` the engine holds. */
  runsOf(agent: string): Promise<ExistingRun[]>;
  /** Rejects when this engine cannot run jobs. */
  check(): Promise<void>;
}

export interface EngineParts {
  client: EngineClient;
  engine: EngineContext;
  pidsLimit: number;
}

/** The client and context an engine runtime is built on, from its options. */
export function engineParts(options: EngineRuntimeOptions): EngineParts {
  const client = options.client ?? connectDocker(options.env);
  return {
    client,
    engine: { client, stopGraceMs: options.stopGraceMs ?? 10_000 },
    pidsLimit: options.pidsLimit ?? 512,
  };
}

export function engineRuntime(
  options: EngineRuntimeOptions,
  parts: EngineParts,
  specifics: EngineSpecifics,
): Runtime {
  const { env, logger } = options;
  const { client, engine } = parts;
  const { address } = client;

  async function run(request: RunRequest, runOptions: RunOptions = {}): Promise<RunResult> {
    const began = new Date();
    const log = logger.child({ job: request.spec.name, run: request.runId });
    let secrets: string[] = [];
    try {
      const resolved = resolveEnv(request.spec, request.env, request.policy.secretEnv);
      secrets = resolved.secrets;
      const prepared = await prepareContainer({
        client,
        env,
        request,
        resolved,
        log,
        pidsLimit: parts.pidsLimit,
        stopGraceMs: engine.stopGraceMs,
        runHelper: options.runCredentialHelper,
        imageLater: specifics.imageLater(request),
      });
      return await specifics.start({
        request,
        runOptions,
        log,
        secrets,
        began,
        prepared,
        follow: (object, adopted) =>
          follow(engine, object, {
            runOptions,
            log,
            began,
            createdGraceMs: specifics.createdGraceMs,
            timeoutMs: request.spec.timeoutMs,
            runId: request.runId,
            adopted,
            agent: request.agent,
          }),
      });
    } catch (err) {
      const reason = describeEngineError(err, address, secrets);
      return handOver(engine, errorResult({ runId: request.runId, began, reason }, log), {
        runOptions,
        log,
      });
    }
  }

  async function list(agent: string): Promise<ExistingRun[]> {
    try {
      return await specifics.runsOf(agent);
    } catch (err) {
      throw new EnvironmentError(describeEngineError(err, address));
    }
  }

  async function adopt(existing: ExistingRun, runOptions: RunOptions = {}): Promise<RunResult> {
    const log = logger.child({ job: existing.job, run: existing.runId });
    return follow(engine, specifics.objectOf(existing.id), {
      runOptions,
      log,
      began: new Date(),
      createdGraceMs: specifics.createdGraceMs,
      runId: existing.runId,
      agent: existing.agent ?? "",
    });
  }

  async function ping(): Promise<void> {
    try {
      await specifics.check();
    } catch (err) {
      if (err instanceof EnvironmentError) throw err;
      throw new EnvironmentError(describeEngineError(err, address));
    }
  }

  return { kind: specifics.kind, run, list, adopt, ping };
}
