// The Docker implementation of Runtime. One run: resolve env → check host paths → volumes →
// image → create (the name is the tick's lock: 409 means adopt) → attach → start → wait →
// hand the result over → remove. Only the leading agent of a repository starts runs (SPEC §3,
// src/lease), so no other lock is taken. Every failure becomes outcome `error` with one
// sentence; run() and adopt() never reject.

import type { ContainerInfo } from "dockerode";
import { EnvironmentError } from "../errors.js";
import type { Logger } from "../log.js";
import { follow } from "./adoption.js";
import { connectDocker, describeEngineError, engineStatus, PING_TIMEOUT_MS } from "./connection.js";
import { resolveEnv } from "./container-config.js";
import { type ContainerApi, containerApi, createContainer } from "./containers.js";
import { ensureImage, inspectImage } from "./images.js";
import {
  type EngineContext,
  errorResult,
  finishedResult,
  handOver,
  pipeOutput,
  settle,
} from "./lifecycle.js";
import { existingRunOf, LABEL } from "./names.js";
import { createRunOutput } from "./output.js";
import { type EngineRuntimeOptions, imageFirst, prepareContainer } from "./prepare.js";
import type { ExistingRun, RunOptions, RunRequest, RunResult, Runtime } from "./runtime.js";

export interface DockerRuntimeOptions extends EngineRuntimeOptions {
  /** How long an adopted container may stay "created" before it counts as abandoned. */
  createdGraceMs?: number;
}

export function createDockerRuntime(options: DockerRuntimeOptions): Runtime {
  const { env } = options;
  const client = options.client ?? connectDocker(env);
  const engine: EngineContext = { client, stopGraceMs: options.stopGraceMs ?? 10_000 };
  const { address } = client;
  const pidsLimit = options.pidsLimit ?? 512;
  const createdGraceMs = options.createdGraceMs ?? 10_000;
  const logger = options.logger;

  async function run(request: RunRequest, runOptions: RunOptions = {}): Promise<RunResult> {
    const began = new Date();
    const log = logger.child({ job: request.spec.name, run: request.runId });
    let secrets: string[] = [];
    let container: ContainerApi;
    let digest: string | null;
    try {
      const resolved = resolveEnv(request.spec, request.env, request.policy.secretEnv);
      secrets = resolved.secrets;
      const imageLater = !imageFirst(request);
      const prepared = await prepareContainer({
        client,
        env,
        request,
        resolved,
        log,
        pidsLimit,
        stopGraceMs: engine.stopGraceMs,
        runHelper: options.runCredentialHelper,
        imageLater,
      });
      const { name, imageOptions } = prepared;
      // Created first, the image is inspected alongside for its digest (a failure there only
      // leaves the digest unknown); an engine without the image answers 404, then it is pulled.
      let image = prepared.image
        ? Promise.resolve(prepared.image)
        : inspectImage(imageOptions).catch(() => undefined);
      try {
        container = await createContainer(client, prepared.create).catch(async (err) => {
          if (!imageLater || engineStatus(err) !== 404) throw err;
          image = ensureImage(imageOptions);
          await image;
          return createContainer(client, prepared.create);
        });
        digest = (await image)?.digest ?? null;
      } catch (err) {
        if (engineStatus(err) !== 409) throw err;
        // The engine refused a second container for this tick: wait on the one that exists.
        log.info({ container: name }, "a container for this run exists; adopting it");
        return await follow(engine, containerApi(client, name), {
          runOptions,
          log,
          began,
          createdGraceMs,
          timeoutMs: request.spec.timeoutMs,
          runId: request.runId,
          agent: request.agent,
        });
      }
    } catch (err) {
      const reason = describeEngineError(err, address, secrets);
      return handOver(engine, errorResult({ runId: request.runId, began, reason }, log), {
        runOptions,
        log,
      });
    }
    return drive(container, { request, runOptions, log, secrets, digest, began });
  }

  async function drive(
    container: ContainerApi,
    ctx: {
      request: RunRequest;
      runOptions: RunOptions;
      log: Logger;
      secrets: string[];
      digest: string | null;
      began: Date;
    },
  ): Promise<RunResult> {
    const { request, runOptions, log } = ctx;
    const output = createRunOutput({
      secrets: ctx.secrets,
      logger: log,
      onLine: runOptions.onLine,
    });
    let result: RunResult;
    try {
      // Attached before start, so not a byte of output is missed.
      const drained = pipeOutput(await container.attach(), output, request.spec.tty === true);
      await container.start();
      const startedAt = new Date();
      log.info(
        { container: container.id, image: request.spec.image, digest: ctx.digest },
        "run started",
      );
      runOptions.onStart?.({ startedAt, containerId: container.id, adopted: false });
      const { ending, state } = await settle(engine, container, drained, output, {
        startedAt,
        timeoutMs: request.spec.timeoutMs,
        stop: runOptions.stop,
      });
      result = finishedResult(
        engine,
        {
          runId: request.runId,
          startedAt,
          ending,
          state,
          tail: output.tail(),
          digest: ctx.digest,
          adopted: false,
          memoryBytes: request.spec.resources?.memoryBytes,
        },
        log,
      );
    } catch (err) {
      output.end();
      const reason = describeEngineError(err, address, ctx.secrets);
      result = errorResult(
        { runId: request.runId, began: ctx.began, reason, logTail: output.tail() },
        log,
      );
    }
    return handOver(engine, result, { runOptions, container, log });
  }

  /** The engine's containers, in any state, that match these filters. */
  function containersWith(filters: { label: string[] }) {
    return client.call<ContainerInfo[]>("GET", "/containers/json", {
      query: { all: 1, filters: JSON.stringify(filters) },
    });
  }

  async function list(agent: string): Promise<ExistingRun[]> {
    try {
      const containers = await containersWith({ label: [LABEL.run, `${LABEL.agent}=${agent}`] });
      return containers.map((c) => existingRunOf(c.Labels ?? {}, c.Id, c.State === "running"));
    } catch (err) {
      throw new EnvironmentError(describeEngineError(err, address));
    }
  }

  async function adopt(existing: ExistingRun, runOptions: RunOptions = {}): Promise<RunResult> {
    const log = logger.child({ job: existing.job, run: existing.runId });
    return follow(engine, containerApi(client, existing.id), {
      runOptions,
      log,
      began: new Date(),
      createdGraceMs,
      runId: existing.runId,
      agent: existing.agent ?? "",
    });
  }

  async function ping(): Promise<void> {
    try {
      await client.call("GET", "/_ping", { timeoutMs: PING_TIMEOUT_MS });
    } catch (err) {
      throw new EnvironmentError(describeEngineError(err, address));
    }
  }

  return { kind: "docker", run, list, adopt, ping };
}
