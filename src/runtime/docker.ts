// The Docker implementation of Runtime. One run: resolve env → check host paths → image →
// volumes → create (the name is the lock: 409 means adopt) → attach → start → wait → remove.
// Every failure becomes outcome `error` with one sentence; nothing rejects past run()/adopt().

import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import { EnvironmentError, oneLine } from "../errors.js";
import type { JobSpec } from "../jobs/spec.js";
import type { Logger } from "../log.js";
import { connectDocker, describeEngineError, engineStatus } from "./connection.js";
import { containerCreateOptions, resolveEnv } from "./container-config.js";
import type { CredentialHelperRunner } from "./credentials.js";
import { type Ending, type Interruption, verdictFor, waitForEnd } from "./ending.js";
import { checkHostPaths } from "./host-paths.js";
import { digestOf, ensureImage } from "./images.js";
import { containerNameFor, LABEL } from "./names.js";
import { createRunOutput } from "./output.js";
import type { ExistingRun, RunOptions, RunRequest, RunResult, Runtime } from "./runtime.js";

export interface DockerRuntimeOptions {
  logger: Logger;
  /** A ready client; else one is made from `env` as the Docker CLI would. */
  docker?: Dockerode;
  /** DOCKER_HOST, DOCKER_CONFIG, HOME…: where the engine and registry credentials are. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Between SIGTERM and SIGKILL when a run is stopped (whole seconds on the engine). */
  stopGraceMs?: number;
  pidsLimit?: number;
  /** Replaces running `docker-credential-<name> get` (tests). */
  runCredentialHelper?: CredentialHelperRunner;
  /** How long an adopted container may stay "created" before it counts as abandoned. */
  createdGraceMs?: number;
}

/** How long to wait for the last output after the container has exited. */
const OUTPUT_DRAIN_MS = 5_000;

export function createDockerRuntime(options: DockerRuntimeOptions): Runtime {
  const env = options.env ?? process.env;
  const { docker, address } = options.docker
    ? { docker: options.docker, address: "the configured Docker engine" }
    : connectDocker(env);
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  const pidsLimit = options.pidsLimit ?? 512;
  const createdGraceMs = options.createdGraceMs ?? 10_000;
  const logger = options.logger;

  async function run(request: RunRequest, runOptions: RunOptions = {}): Promise<RunResult> {
    const began = new Date();
    const log = logger.child({ job: request.spec.name, run: request.runId });
    let secrets: string[] = [];
    try {
      const resolved = resolveEnv(request.spec.env, request.env);
      secrets = resolved.secrets;
      await checkHostPaths(hostPathsOf(request.spec), request.policy.allowHostPath);
      const image = await ensureImage({
        docker,
        address,
        image: request.spec.image,
        env,
        logger: log,
        runHelper: options.runCredentialHelper,
      });
      const name = containerNameFor(request.spec.name, request.scheduledAt, request.attempt);
      const createOptions = containerCreateOptions({
        request,
        name,
        env: resolved,
        imageUser: image.user,
        pidsLimit,
        stopGraceMs,
      });
      await ensureVolumes(request.spec);
      let container: Dockerode.Container;
      try {
        container = await docker.createContainer(createOptions);
      } catch (err) {
        if (engineStatus(err) !== 409) throw err;
        // The engine refused a second container for this tick: wait on the one that exists.
        log.info({ container: name }, "a container for this run exists; adopting it");
        return await follow(docker.getContainer(name), {
          runOptions,
          log,
          timeoutMs: request.spec.timeoutMs,
          began,
        });
      }
      return await drive(container, {
        request,
        runOptions,
        log,
        secrets,
        digest: image.digest,
        began,
      });
    } catch (err) {
      return errorResult(request.runId, began, describeEngineError(err, address, secrets), log);
    }
  }

  interface DriveContext {
    request: RunRequest;
    runOptions: RunOptions;
    log: Logger;
    secrets: string[];
    digest: string | null;
    began: Date;
  }

  async function drive(container: Dockerode.Container, ctx: DriveContext): Promise<RunResult> {
    const output = createRunOutput({
      secrets: ctx.secrets,
      logger: ctx.log,
      onLine: ctx.runOptions.onLine,
    });
    try {
      // Attached before start, so not a byte of output is missed.
      const stream = (await container.attach({
        stream: true,
        stdout: true,
        stderr: true,
      })) as unknown as Readable;
      const drained = streamEnd(stream);
      docker.modem.demuxStream(stream, output.stdout, output.stderr);
      await startContainer(container);
      const startedAt = new Date();
      ctx.log.info(
        { container: container.id, image: ctx.request.spec.image, digest: ctx.digest },
        "run started",
      );
      ctx.runOptions.onStart?.({ startedAt, containerId: container.id, adopted: false });
      const ending = await waitForEnd({
        container,
        timeoutMs: ctx.request.spec.timeoutMs,
        stop: ctx.runOptions.stop,
        stopGraceMs,
      });
      await withDeadline(drained, OUTPUT_DRAIN_MS);
      output.end();
      const state = (await container.inspect()).State;
      return finished(
        {
          runId: ctx.request.runId,
          startedAt,
          ending,
          state,
          tail: output.tail(),
          digest: ctx.digest,
        },
        ctx,
      );
    } catch (err) {
      output.end();
      return errorResult(
        ctx.request.runId,
        ctx.began,
        describeEngineError(err, address, ctx.secrets),
        ctx.log,
        output.tail(),
      );
    } finally {
      await removeContainer(container, ctx.log);
    }
  }

  function finished(
    run: {
      runId: string;
      startedAt: Date;
      ending: Ending;
      state: { OOMKilled?: boolean };
      tail: string;
      digest: string | null;
    },
    ctx: { log: Logger; request?: RunRequest; adopted?: boolean },
  ): RunResult {
    const verdict = verdictFor(run.ending, run.state, {
      stopGraceMs,
      memoryBytes: ctx.request?.spec.resources?.memoryBytes,
    });
    const result: RunResult = {
      runId: run.runId,
      outcome: verdict.outcome,
      exitCode: run.ending.exitCode,
      reason: verdict.reason,
      startedAt: run.startedAt,
      finishedAt: new Date(),
      imageDigest: run.digest,
      logTail: run.tail,
      adopted: ctx.adopted ?? false,
    };
    ctx.log.info(
      {
        outcome: result.outcome,
        exitCode: result.exitCode,
        reason: result.reason,
        adopted: result.adopted,
      },
      "run finished",
    );
    return result;
  }

  interface FollowContext {
    runOptions: RunOptions;
    log: Logger;
    began: Date;
    /** From the container's start; known when adopting after a name conflict. */
    timeoutMs?: number;
    runId?: string;
  }

  /** Waits on a container someone else created: reads its output and exit, then removes it. */
  async function follow(container: Dockerode.Container, ctx: FollowContext): Promise<RunResult> {
    let runId = ctx.runId ?? "";
    let secrets: string[] = [];
    let output: ReturnType<typeof createRunOutput> | undefined;
    try {
      let info = await container.inspect();
      runId = info.Config.Labels?.[LABEL.run] ?? runId;
      if (!info.Config.Labels?.[LABEL.run]) {
        throw new Error(
          `a container named ${info.Name.replace(/^\//, "")} exists and is not a gitcron run; remove it`,
        );
      }
      const log = ctx.log;
      info = await waitWhileCreated(container, info);
      if (info.State.Status === "created") {
        await removeContainer(container, log);
        return errorResult(
          runId,
          ctx.began,
          "the container was created but never started (an agent stopped in between); removed it",
          log,
        );
      }
      secrets = secretsOf(info);
      output = createRunOutput({ secrets, logger: log, onLine: ctx.runOptions.onLine });
      const stream = (await container.logs({
        follow: true,
        stdout: true,
        stderr: true,
      })) as unknown as Readable;
      const drained = streamEnd(stream);
      docker.modem.demuxStream(stream, output.stdout, output.stderr);
      const startedAt = new Date(info.State.StartedAt);
      ctx.runOptions.onStart?.({ startedAt, containerId: info.Id, adopted: true });
      const elapsed = Date.now() - startedAt.getTime();
      const ending = await waitForEnd({
        container,
        timeoutMs: ctx.timeoutMs === undefined ? undefined : Math.max(0, ctx.timeoutMs - elapsed),
        stop: ctx.runOptions.stop,
        stopGraceMs,
      });
      if (ending.interruption?.kind === "timeout")
        ending.interruption = timeoutOf(ctx.timeoutMs ?? 0);
      await withDeadline(drained, OUTPUT_DRAIN_MS);
      output.end();
      const state = (await container.inspect()).State;
      const digest = await imageDigestOf(info);
      return finished(
        { runId, startedAt, ending, state, tail: output.tail(), digest },
        { log, adopted: true },
      );
    } catch (err) {
      output?.end();
      const reason =
        engineStatus(err) === 404
          ? "the run's container was removed by someone else before its end could be read"
          : describeEngineError(err, address, secrets);
      return { ...errorResult(runId, ctx.began, reason, ctx.log, output?.tail()), adopted: true };
    } finally {
      await removeContainer(container, ctx.log);
    }
  }

  async function waitWhileCreated(
    container: Dockerode.Container,
    info: Dockerode.ContainerInspectInfo,
  ) {
    // Between another caller's create and start: give it a moment to start.
    const deadline = Date.now() + createdGraceMs;
    let current = info;
    while (current.State.Status === "created" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      current = await container.inspect();
    }
    return current;
  }

  async function imageDigestOf(info: Dockerode.ContainerInspectInfo): Promise<string | null> {
    try {
      return digestOf(await docker.getImage(info.Image).inspect(), info.Config.Image);
    } catch {
      return info.Image || null;
    }
  }

  async function ensureVolumes(spec: JobSpec) {
    for (const mount of spec.volumes) {
      if (mount.kind !== "volume") continue;
      try {
        await docker.getVolume(mount.volume).inspect();
      } catch (err) {
        if (engineStatus(err) !== 404) throw err;
        await docker.createVolume({ Name: mount.volume, Labels: { [LABEL.job]: spec.name } });
      }
    }
  }

  async function removeContainer(container: Dockerode.Container, log: Logger) {
    try {
      await container.remove({ force: true });
    } catch (err) {
      // 404: already gone; 409: removal already in progress (another adopter).
      const status = engineStatus(err);
      if (status !== 404 && status !== 409) {
        log.warn(
          { container: container.id, err: describeEngineError(err, address) },
          "could not remove the container",
        );
      }
    }
  }

  async function list(): Promise<ExistingRun[]> {
    try {
      const containers = await docker.listContainers({
        all: true,
        filters: { label: [LABEL.run] },
      });
      return containers.map((c) => {
        const labels = c.Labels ?? {};
        const scheduledAt = labels[LABEL.scheduledAt]
          ? new Date(labels[LABEL.scheduledAt] as string)
          : null;
        return {
          runId: labels[LABEL.run] ?? "",
          job: labels[LABEL.job] ?? "",
          revision: labels[LABEL.revision] ?? null,
          scheduledAt: scheduledAt && !Number.isNaN(scheduledAt.getTime()) ? scheduledAt : null,
          running: c.State === "running",
          id: c.Id,
        };
      });
    } catch (err) {
      throw new EnvironmentError(describeEngineError(err, address));
    }
  }

  async function adopt(existing: ExistingRun, runOptions: RunOptions = {}): Promise<RunResult> {
    const log = logger.child({ job: existing.job, run: existing.runId });
    return follow(docker.getContainer(existing.id), {
      runOptions,
      log,
      began: new Date(),
      runId: existing.runId,
    });
  }

  async function ping(): Promise<void> {
    try {
      await docker.ping();
    } catch (err) {
      throw new EnvironmentError(describeEngineError(err, address));
    }
  }

  return { kind: "docker", run, list, adopt, ping };
}

const hostPathsOf = (spec: JobSpec) =>
  spec.volumes.flatMap((v) => (v.kind === "hostPath" ? [v.hostPath] : []));

const timeoutOf = (afterMs: number): Interruption => ({ kind: "timeout", afterMs });

/** The values of the container's variables listed in the redact label. */
function secretsOf(info: Dockerode.ContainerInspectInfo): string[] {
  const names = new Set((info.Config.Labels?.[LABEL.redact] ?? "").split(",").filter(Boolean));
  return (info.Config.Env ?? []).flatMap((pair) => {
    const eq = pair.indexOf("=");
    return names.has(pair.slice(0, eq)) && eq < pair.length - 1 ? [pair.slice(eq + 1)] : [];
  });
}

async function startContainer(container: Dockerode.Container) {
  try {
    await container.start();
  } catch (err) {
    // 304: already started (an adopter got there first); the run is going, which is what we want.
    if (engineStatus(err) !== 304) throw err;
  }
}

function errorResult(
  runId: string,
  began: Date,
  reason: string,
  log: Logger,
  logTail = "",
): RunResult {
  log.warn({ outcome: "error", reason }, "run could not run");
  return {
    runId,
    outcome: "error",
    exitCode: null,
    reason: oneLine(new Error(reason)),
    startedAt: began,
    finishedAt: new Date(),
    imageDigest: null,
    logTail,
    adopted: false,
  };
}

function streamEnd(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}

async function withDeadline(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}
