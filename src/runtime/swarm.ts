// The Swarm implementation of Runtime: each run is a replicated-job service named like the
// Docker runtime's container (`gitcron-<job>-<unix seconds>`), so the cluster refuses a second
// service for a tick (409 → adopt); only the leading agent of a repository starts runs (SPEC
// §3, src/lease). The swarm schedules, places and
// networks the task; output, timeouts, hand-over and adoption are the Docker runtime's own
// steps, through serviceApi.

import { EnvironmentError } from "../errors.js";
import { follow } from "./adoption.js";
import { connectDocker, describeEngineError, engineStatus, PING_TIMEOUT_MS } from "./connection.js";
import { resolveEnv } from "./container-config.js";
import { registryAuthFor } from "./credentials.js";
import { parseImageReference, registryAuthHeader } from "./images.js";
import { type EngineContext, errorResult, handOver } from "./lifecycle.js";
import { existingRunOf, LABEL, swarmName } from "./names.js";
import { type EngineRuntimeOptions, prepareContainer } from "./prepare.js";
import type { ExistingRun, RunOptions, RunRequest, RunResult, Runtime } from "./runtime.js";
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
  const { env } = options;
  const client = options.client ?? connectDocker(env);
  const engine: EngineContext = { client, stopGraceMs: options.stopGraceMs ?? 10_000 };
  const { address } = client;
  const pendingLimitMs = options.pendingLimitMs ?? 60_000;
  const logger = options.logger;
  const api = (id: string) => serviceApi(client, id, { pendingLimitMs });

  async function run(request: RunRequest, runOptions: RunOptions = {}): Promise<RunResult> {
    const began = new Date();
    const log = logger.child({ job: request.spec.name, run: request.runId });
    let secrets: string[] = [];
    try {
      const resolved = resolveEnv(request.spec, request.env, request.policy.secretEnv);
      secrets = resolved.secrets;
      // Pulled on the manager too: it proves the credentials and gives the digest and USER.
      const { name, image, create } = await prepareContainer({
        client,
        env,
        request,
        resolved,
        log,
        pidsLimit: options.pidsLimit ?? 512,
        stopGraceMs: engine.stopGraceMs,
        runHelper: options.runCredentialHelper,
      });
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
        const reason = describeEngineError(err, address, secrets);
        const failed = errorResult({ runId: request.runId, began, reason, adopted }, log);
        return handOver(engine, failed, { runOptions, container: service, log });
      }
      log.info({ service: id, image: request.spec.image, digest: image?.digest }, "run started");
      return await follow(engine, service, {
        runOptions,
        log,
        began,
        createdGraceMs: pendingLimitMs,
        timeoutMs: request.spec.timeoutMs,
        runId: request.runId,
        adopted,
        agent: request.agent,
      });
    } catch (err) {
      const reason = describeEngineError(err, address, secrets);
      return handOver(engine, errorResult({ runId: request.runId, began, reason }, log), {
        runOptions,
        log,
      });
    }
  }

  function servicesWith(labels: string[]): Promise<ServiceSummary[]> {
    return client.call<ServiceSummary[]>("GET", "/services", {
      query: { filters: JSON.stringify({ label: labels }) },
    });
  }

  async function list(agent: string): Promise<ExistingRun[]> {
    try {
      const services = await servicesWith([LABEL.run, `${LABEL.agent}=${agent}`]);
      return await Promise.all(
        services.map(async (s) => {
          const info = await api(s.ID).inspect();
          return existingRunOf(s.Spec.Labels ?? {}, s.ID, info.State.Status !== "exited");
        }),
      );
    } catch (err) {
      throw new EnvironmentError(describeEngineError(err, address));
    }
  }

  async function adopt(existing: ExistingRun, runOptions: RunOptions = {}): Promise<RunResult> {
    const log = logger.child({ job: existing.job, run: existing.runId });
    return follow(engine, api(existing.id), {
      runOptions,
      log,
      began: new Date(),
      createdGraceMs: pendingLimitMs,
      runId: existing.runId,
      agent: existing.agent ?? "",
    });
  }

  async function ping(): Promise<void> {
    let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    try {
      info = await client.call("GET", "/info", { timeoutMs: PING_TIMEOUT_MS });
    } catch (err) {
      throw new EnvironmentError(describeEngineError(err, address));
    }
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

  return { kind: "swarm", run, list, adopt, ping };
}

/** `1.41` < `1.44`, compared as numbers per part. */
function olderThan(version: string, than: string): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  const [c = 0, d = 0] = than.split(".").map(Number);
  return a < c || (a === c && b < d);
}
