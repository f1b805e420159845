// What a run needs before the engine is asked for anything that runs: host paths checked, its
// named volumes claimed (created as the agent's, or refused), the image present (its digest and
// USER known), and the container it would be — with SPEC §4 enforced. The Docker runtime creates that container; the Swarm runtime turns it into a service.

import type Dockerode from "dockerode";
import { labelRefused } from "../jobs/policy-rules.js";
import type { Logger } from "../log.js";
import { containerCreateOptions, type ResolvedEnv } from "./container-config.js";
import type { CredentialHelperRunner } from "./credentials.js";
import type { EngineClient } from "./engine.js";
import { checkHostPaths } from "./host-paths.js";
import {
  alwaysPull,
  type EnsureImageOptions,
  ensureImage,
  type PresentImage,
  parseImageReference,
} from "./images.js";
import { containerNameFor } from "./names.js";
import type { RunRequest } from "./runtime.js";
import { claimVolumes } from "./volumes.js";

/** Options both engine runtimes take. */
export interface EngineRuntimeOptions {
  logger: Logger;
  /** A ready client; else one is made from `env` as the Docker CLI would. */
  client?: EngineClient;
  /** DOCKER_HOST, DOCKER_CONFIG, HOME…: where the engine and registry credentials are, as
   * the entry point read its environment (nothing below reads process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** Between SIGTERM and SIGKILL when a run is stopped (whole seconds on the engine). */
  stopGraceMs?: number;
  pidsLimit?: number;
  /** Replaces running `docker-credential-<name> get`. */
  runCredentialHelper?: CredentialHelperRunner;
}

export interface PreparedContainer {
  /** `gitcron-<job>-<unix seconds>-<agent id>`: the engine's lock on the tick. */
  name: string;
  /** Null when the image was left for later (see imageFirst). */
  image: PresentImage | null;
  /** How this run's image is looked up or pulled, for a caller that left it for later. */
  imageOptions: EnsureImageOptions;
  create: Dockerode.ContainerCreateOptions;
}

/** Whether the image must be present and known before the container is described: it is pulled
 * anyway (`:latest`, untagged), or its USER is what the restricted policy judges. Otherwise the
 * Docker runtime creates first and pulls only if the engine has no such image, as `docker run`
 * does — one round trip less before the job starts. */
export function imageFirst(request: RunRequest): boolean {
  const { spec, policy } = request;
  return (
    alwaysPull(parseImageReference(spec.image)) || (policy.level === "restricted" && !spec.user)
  );
}

/** Rejects with a one-sentence Error when the run cannot be made. */
export async function prepareContainer(input: {
  client: EngineClient;
  env: Readonly<Record<string, string | undefined>>;
  request: RunRequest;
  resolved: ResolvedEnv;
  log: Logger;
  pidsLimit: number;
  stopGraceMs: number;
  runHelper?: CredentialHelperRunner;
  /** Leave the image for the caller: only when imageFirst() is false. */
  imageLater?: boolean;
}): Promise<PreparedContainer> {
  const { request } = input;
  const hostPaths = request.spec.volumes.flatMap((v) =>
    v.kind === "hostPath" ? [v.hostPath] : [],
  );
  await checkHostPaths(hostPaths, request.policy.allowHostPath);
  // Enforced again where the agent acts, in case a spec reached it another way than validation.
  const label = Object.keys(request.spec.labels).find((key) =>
    labelRefused(key, request.policy.allowLabel),
  );
  if (label)
    throw new Error(
      `label "${label}" is not allowed: a key with a dotted prefix needs the agent's --allow-label`,
    );
  // The container mounts each volume under the name the engine knows it by (namespaced).
  const spec = await claimVolumes(
    input.client,
    request.spec,
    request.agent,
    request.policy.allowVolume,
  );
  const imageOptions: EnsureImageOptions = {
    engine: input.client,
    image: request.spec.image,
    env: input.env,
    logger: input.log,
    runHelper: input.runHelper,
  };
  const image = input.imageLater ? null : await ensureImage(imageOptions);
  const name = containerNameFor(
    request.spec.name,
    request.scheduledAt,
    request.attempt,
    request.agent,
  );
  const create = containerCreateOptions({
    request: { ...request, spec },
    name,
    env: input.resolved,
    imageUser: image?.user ?? "",
    pidsLimit: input.pidsLimit,
    stopGraceMs: input.stopGraceMs,
  });
  return { name, image, imageOptions, create };
}
