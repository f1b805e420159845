// The Docker implementation of Runtime: the engine runtime (engine-runtime.ts) whose run is a
// container. Its start: create (409: the tick's container exists and is followed) → attach →
// start → wait → hand the result over → remove.

import type { ContainerInfo } from "dockerode";
import { describeEngineError, engineStatus, PING_TIMEOUT_MS } from "./connection.js";
import { type ContainerApi, containerApi, createContainer } from "./containers.js";
import { engineParts, engineRuntime, type RunStart } from "./engine-runtime.js";
import { ensureImage, inspectImage } from "./images.js";
import { errorResult, finishedResult, handOver, pipeOutput, settle } from "./lifecycle.js";
import { existingRunOf, LABEL } from "./names.js";
import { createRunOutput } from "./output.js";
import { type EngineRuntimeOptions, imageFirst } from "./prepare.js";
import type { RunResult, Runtime } from "./runtime.js";

export interface DockerRuntimeOptions extends EngineRuntimeOptions {
  /** How long an adopted container may stay "created" before it counts as abandoned. */
  createdGraceMs?: number;
}

export function createDockerRuntime(options: DockerRuntimeOptions): Runtime {
  const parts = engineParts(options);
  const { client, engine } = parts;

  async function start(run: RunStart): Promise<RunResult> {
    const { prepared, log } = run;
    const { name, imageOptions } = prepared;
    const imageLater = prepared.image === null;
    // Created first, the image is inspected alongside for its digest (a failure there only
    // leaves the digest unknown); an engine without the image answers 404, then it is pulled.
    let image = prepared.image
      ? Promise.resolve(prepared.image)
      : inspectImage(imageOptions).catch(() => undefined);
    let container: ContainerApi;
    try {
      container = await createContainer(client, prepared.create).catch(async (err) => {
        if (!imageLater || engineStatus(err) !== 404) throw err;
        image = ensureImage(imageOptions);
        await image;
        return createContainer(client, prepared.create);
      });
    } catch (err) {
      if (engineStatus(err) !== 409) throw err;
      // The engine refused a second container for this tick: wait on the one that exists.
      log.info({ container: name }, "a container for this run exists; adopting it");
      return run.follow(containerApi(client, name), true);
    }
    return drive(container, run, (await image)?.digest ?? null);
  }

  async function drive(
    container: ContainerApi,
    run: RunStart,
    digest: string | null,
  ): Promise<RunResult> {
    const { request, runOptions, log } = run;
    const output = createRunOutput({
      secrets: run.secrets,
      logger: log,
      onLine: runOptions.onLine,
    });
    let result: RunResult;
    try {
      // Attached before start, so not a byte of output is missed.
      const drained = pipeOutput(await container.attach(), output, request.spec.tty === true);
      await container.start();
      const startedAt = new Date();
      log.info({ container: container.id, image: request.spec.image, digest }, "run started");
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
          digest,
          adopted: false,
          memoryBytes: request.spec.resources?.memoryBytes,
        },
        log,
      );
    } catch (err) {
      output.end();
      const reason = describeEngineError(err, client.address, run.secrets);
      result = errorResult(
        { runId: request.runId, began: run.began, reason, logTail: output.tail() },
        log,
      );
    }
    return handOver(engine, result, { runOptions, container, log });
  }

  return engineRuntime(options, parts, {
    kind: "docker",
    createdGraceMs: options.createdGraceMs ?? 10_000,
    imageLater: (request) => !imageFirst(request),
    objectOf: (id) => containerApi(client, id),
    start,
    async runsOf(agent) {
      const containers = await client.call<ContainerInfo[]>("GET", "/containers/json", {
        query: {
          all: 1,
          filters: JSON.stringify({ label: [LABEL.run, `${LABEL.agent}=${agent}`] }),
        },
      });
      return containers.map((c) => existingRunOf(c.Labels ?? {}, c.Id, c.State === "running"));
    },
    check: () => client.call("GET", "/_ping", { timeoutMs: PING_TIMEOUT_MS }),
  });
}
