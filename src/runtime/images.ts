// Making sure a job's image is present: pulled when missing, always for `:latest` or an untagged
// reference (Kubernetes' imagePullPolicy defaults), with credentials from the Docker config.

import type { ImageInspectInfo } from "dockerode";
import type { Logger } from "../log.js";
import { describeEngineError, engineStatus, isUnreachable } from "./connection.js";
import { type CredentialHelperRunner, registryAuthFor } from "./credentials.js";
import type { EngineClient } from "./engine.js";

export interface ImageReference {
  /** `docker.io` or `host[:port]`. */
  registry: string;
  /** Repository as given, without tag or digest (e.g. `busybox`, `ghcr.io/acme/report`). */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits a reference the way Docker's reference grammar does. */
export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const named = at >= 0 ? image.slice(0, at) : image;
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  const repository = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  const first = repository.split("/")[0] ?? "";
  // The first component names a registry only if it looks like a host.
  const isHost = repository.includes("/") && (/[.:]/.test(first) || first === "localhost");
  return { registry: isHost ? first : "docker.io", repository, tag, digest };
}

/** Pull even when present: `:latest` and untagged references move. */
export const alwaysPull = (ref: ImageReference): boolean =>
  !ref.digest && (ref.tag === undefined || ref.tag === "latest");

export interface EnsureImageOptions {
  engine: EngineClient;
  image: string;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  runHelper?: CredentialHelperRunner;
}

export interface PresentImage {
  /** `sha256:…` from RepoDigests when the image came from a registry, else the image id. */
  digest: string | null;
  /** The image's configured USER ("" for root by default). */
  user: string;
}

/** Ensures the image is present; rejects with a one-sentence Error when it cannot be. */
export async function ensureImage(options: EnsureImageOptions): Promise<PresentImage> {
  const ref = parseImageReference(options.image);
  const existing = alwaysPull(ref) ? undefined : await inspectImage(options);
  if (existing) return existing;
  await pullImage(options, ref);
  const pulled = await inspectImage(options);
  if (!pulled) throw new Error(`image ${options.image} is still missing after a successful pull`);
  return pulled;
}

/** The image as the engine has it, or undefined when it has none by that name. */
export async function inspectImage(
  options: Pick<EnsureImageOptions, "engine" | "image">,
): Promise<PresentImage | undefined> {
  try {
    const info = await inspectImageInfo(options.engine, options.image);
    return { digest: digestOf(info, options.image), user: info.Config?.User ?? "" };
  } catch (err) {
    if (engineStatus(err) === 404) return undefined;
    throw new Error(describeEngineError(err, options.engine.address));
  }
}

/** Inspections in flight, by engine and image: a hundred jobs of one image due at the same
 * second ask the engine once, when it is busiest. */
const inspecting = new WeakMap<EngineClient, Map<string, Promise<ImageInspectInfo>>>();

export function inspectImageInfo(engine: EngineClient, image: string): Promise<ImageInspectInfo> {
  const pending = inspecting.get(engine) ?? new Map<string, Promise<ImageInspectInfo>>();
  inspecting.set(engine, pending);
  const asked = pending.get(image);
  if (asked) return asked;
  const answer = engine
    .call<ImageInspectInfo>("GET", `/images/${encodeURIComponent(image)}/json`)
    .finally(() => pending.delete(image));
  pending.set(image, answer);
  return answer;
}

/** Images pulled from a registry have RepoDigests; the one of our repository wins. */
export function digestOf(info: ImageInspectInfo, image: string): string | null {
  const repository = parseImageReference(image).repository;
  const digests = info.RepoDigests ?? [];
  const mine = digests.find((d) => d.startsWith(`${repository}@`)) ?? digests[0];
  const digest = mine?.slice(mine.indexOf("@") + 1);
  return digest || info.Id || null;
}

async function pullImage(options: EnsureImageOptions, ref: ImageReference): Promise<void> {
  const { engine, image, logger } = options;
  let auth: Awaited<ReturnType<typeof registryAuthFor>>;
  try {
    auth = await registryAuthFor(ref.registry, { env: options.env, runHelper: options.runHelper });
  } catch (err) {
    throw new Error(`cannot pull ${image}: ${(err as Error).message}`);
  }
  const secrets = [auth?.password, auth?.identitytoken].filter((s): s is string => !!s);
  logger.info({ image, registry: ref.registry, authenticated: !!auth }, "pulling image");
  try {
    const progress = await engine.open("POST", "/images/create", {
      query: { fromImage: ref.repository, tag: ref.digest ?? ref.tag ?? "latest" },
      headers: auth ? { "X-Registry-Auth": registryAuthHeader(auth) } : {},
    });
    // Failures after the 200 come as `{"error": …}` lines in the progress stream.
    const failure = await firstProgressError(progress);
    if (failure) throw new Error(failure);
  } catch (err) {
    if (isUnreachable(err)) throw new Error(describeEngineError(err, engine.address));
    const message = describeEngineError(err, engine.address, secrets);
    if (
      /unauthorized|authentication required|no basic auth|incorrect username or password/i.test(
        message,
      )
    ) {
      const how = auth
        ? "with the credentials in the Docker config.json"
        : "without credentials (none in the Docker config.json)";
      throw new Error(`cannot pull ${image}: authentication failed for ${ref.registry} ${how}`);
    }
    throw new Error(`cannot pull ${image}: ${message}`);
  }
}

/** URL-safe base64 of the JSON auth config, WITH padding: Docker 20.10 decodes it with Go's padded
 * URLEncoding and silently pulls anonymously when that fails. */
export const registryAuthHeader = (auth: object) =>
  Buffer.from(JSON.stringify(auth)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");

/** Reads the pull's JSON-lines progress to its end; returns the first error message, if any. */
async function firstProgressError(progress: AsyncIterable<Buffer>): Promise<string | undefined> {
  let partial = "";
  let failure: string | undefined;
  for await (const chunk of progress) {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) failure ??= progressError(line);
  }
  return failure ?? progressError(partial);
}

function progressError(line: string): string | undefined {
  if (!line.includes('"error')) return undefined;
  try {
    const event = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
    return event.errorDetail?.message ?? event.error;
  } catch {
    return undefined;
  }
}
