// The Swarm implementation of Runtime: the engine runtime (engine-runtime.ts) whose run is a
// replicated-job service named like the Docker runtime's container (`gitcron-<job>-<unix
// seconds>`), so the cluster refuses a second service for a tick (409 → follow it). The swarm
// schedules, places and networks the task; output, timeouts, hand-over and adoption are the
// Docker runtime's own steps, through serviceApi.

import { EnvironmentError } from "../errors.js";
import { describeEngineError, engineStatus, PING_TIMEOUT_MS } from "./connection.js";
import { registryAuthFor } from "./credentials.js";
import { engineParts, engineRuntime, type RunStart } from "./engine-runtime.js";
import { parseImageReference, registryAuthHeader } from "./images.js";
import { errorResult, handOver } from "./lifecycle.js";
import { existingRunOf, LABEL, swarmName } from "./names.js";
import type { EngineRuntimeOptions } from "./prepare.js";
import type { ExistingRun, RunResult, Runtime } from "./runtime.js";
import { serviceApi, serviceSpecFrom } from "./swarm-service.js";

export interface SwarmRuntimeOptions extends EngineRuntimeOptions {
  /** How long a task may wait for a node before the run is an error (default 60 s). */
  pendingLimitMs?: number;
}

interface ServiceSummary {
  ID: string;
  Spec: { Name: string; Labels?: Record<string, string> };
}

export function createSwarmRuntime(options: SwarmRuntimeOptions): Runtime {
  const { env, logger } = options;
  const parts = engineParts(options);
  const { client, engine } = parts;
  const { address } = client;
  const pendingLimitMs = options.pendingLimitMs ?? 60_000;
  const api = (id: string) => serviceApi(client, id, { pendingLimitMs });

  async function start(run: RunStart): Promise<RunResult> {
    const { request, runOptions, log, prepared } = run;
    const { name, image, create } = prepared;
    const auth = await registryAuthFor(parseImageReference(request.spec.image).registry, {
      env,
      runHelper: options.runCredentialHelper,
    });
    let id: string;
    let adopted = false;
    try {
      const created = await client.call<{ ID: string }>("POST", "/services/create", {
        body: serviceSpecFrom(create, request.spec, engine.stopGraceMs),
        // As `docker service create --with-registry-auth`: every node can pull.
        headers: auth ? { "X-Registry-Auth": registryAuthHeader(auth) } : {},
      });
      id = created.ID;
    } catch (err) {
      if (engineStatus(err) !== 409) throw err;
      log.info({ service: name }, "a service for this run exists; adopting it");
      id = swarmName(name);
      adopted = true;
    }
    const service = api(id);
    try {
      await service.placed();
    } catch (err) {
      const reason = describeEngineError(err, address, run.secrets);
      const failed = errorResult({ runId: request.runId, began: run.began, reason, adopted }, log);
      return handOver(engine, failed, { runOptions, container: service, log });
    }
    log.info({ service: id, image: request.spec.image, digest: image?.digest }, "run started");
    return run.follow(service, adopted);
  }

  async function runsOf(agent: string): Promise<ExistingRun[]> {
    const services = await client.call<ServiceSummary[]>("GET", "/services", {
      query: { filters: JSON.stringify({ label: [LABEL.run, `${LABEL.agent}=${agent}`] }) },
    });
    return Promise.all(
      services.map(async (s) => {
        const info = await api(s.ID).inspect();
        return existingRunOf(s.Spec.Labels ?? {}, s.ID, info.State.Status !== "exited");
      }),
    );
  }

  async function check(): Promise<void> {
    const info = await client.call<{
      Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
    }>("GET", "/info", { timeoutMs: PING_TIMEOUT_MS });
    if (info.Swarm?.LocalNodeState !== "active" || !info.Swarm.ControlAvailable) {
      throw new EnvironmentError(
        `the Docker engine at ${address} is not a Swarm manager; run \`docker swarm init\` or use --runtime docker`,
      );
    }
    const { ApiVersion } = await client
      .call<{ ApiVersion?: string }>("GET", "/version")
      .catch(() => ({ ApiVersion: undefined }));
    if (ApiVersion && olderThan(ApiVersion, "1.44")) {
      logger.warn(
        { apiVersion: ApiVersion },
        "this engine's API cannot set no-new-privileges on a Swarm service (it needs API 1.44, Docker 25); start dockerd with --no-new-privileges on every node so that jobs get it",
      );
    }
  }

  return engineRuntime(options, parts, {
    kind: "swarm",
    createdGraceMs: pendingLimitMs,
    // Pulled on the manager too: it proves the credentials and gives the digest and USER.
    imageLater: () => false,
    objectOf: api,
    start,
    runsOf,
    check,
  });
}

/** `1.41` < `1.44`, compared as numbers per part. */
function olderThan(version: string, than: string): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  const [c = 0, d = 0] = than.split(".").map(Number);
  return a < c || (a === c && b < d);
}
