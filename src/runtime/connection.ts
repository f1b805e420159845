// Reaching the engine as the Docker CLI does: DOCKER_HOST (unix:// or tcp://, TLS from
// DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), else the local socket. The environment is passed in,
// so tests can point a runtime at a socket that does not exist.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EnvironmentError, oneLine } from "../errors.js";
import { createEngineClient, type EngineClient } from "./engine.js";

export const DEFAULT_SOCKET = "/var/run/docker.sock";

export function connectDocker(env: Readonly<Record<string, string | undefined>>): EngineClient {
  const host = env.DOCKER_HOST?.trim();
  if (!host || host.startsWith("unix://")) {
    const socketPath = host?.slice("unix://".length) || DEFAULT_SOCKET;
    return createEngineClient({ address: `unix://${socketPath}`, connect: { socketPath } });
  }
  let url: URL;
  try {
    url = new URL(host.includes("://") ? host : `tcp://${host}`);
  } catch {
    throw new EnvironmentError(
      `DOCKER_HOST "${host}" is not an address like tcp://host:2375 or unix:///path`,
    );
  }
  if (url.protocol === "ssh:") {
    throw new EnvironmentError(
      `DOCKER_HOST ${host}: ssh:// is not supported; forward the socket (ssh -L /tmp/docker.sock:/var/run/docker.sock ${url.host}) and set DOCKER_HOST=unix:///tmp/docker.sock`,
    );
  }
  if (!["tcp:", "http:", "https:"].includes(url.protocol)) {
    throw new EnvironmentError(
      `DOCKER_HOST "${host}" uses ${url.protocol} which gitcron does not support`,
    );
  }
  const tls = env.DOCKER_TLS_VERIFY === "1" || url.protocol === "https:" || url.port === "2376";
  const port = Number(url.port || (tls ? 2376 : 2375));
  return createEngineClient({
    address: `tcp://${url.hostname}:${port}`,
    connect: { host: url.hostname, port },
    tls: tls ? (env.DOCKER_CERT_PATH ? readCerts(env.DOCKER_CERT_PATH) : {}) : undefined,
  });
}

function readCerts(dir: string) {
  try {
    return {
      ca: readFileSync(join(dir, "ca.pem")),
      cert: readFileSync(join(dir, "cert.pem")),
      key: readFileSync(join(dir, "key.pem")),
    };
  } catch (err) {
    throw new EnvironmentError(
      `cannot read the Docker TLS certificates in DOCKER_CERT_PATH: ${oneLine(err)}`,
    );
  }
}

/** How long the start-up check waits for the engine: one that accepts the connection and never
 * answers (a hung dockerd, a proxy with nothing behind it) ends the start-up as unreachable. */
export const PING_TIMEOUT_MS = 10_000;

const UNREACHABLE = new Set([
  "ENOENT",
  "ECONNREFUSED",
  "EACCES",
  "EPERM",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** True when the error says the engine could not be reached at all. */
export const isUnreachable = (err: unknown): boolean =>
  UNREACHABLE.has(String((err as { code?: unknown })?.code));

/** The HTTP status the engine answered with, if it answered. */
export const engineStatus = (err: unknown): number | undefined => {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === "number" ? status : undefined;
};

/** One sentence for an engine error: what failed, and a hint when the engine is unreachable. */
export function describeEngineError(
  err: unknown,
  address: string,
  secrets: Iterable<string> = [],
): string {
  if (isUnreachable(err)) {
    const code = (err as { code: string }).code;
    const hint =
      code === "EACCES" || code === "EPERM"
        ? "may this user use the Docker socket (the docker group)?"
        : "is dockerd running?";
    return `cannot reach the Docker engine at ${address}: ${oneLine(err, secrets)}; ${hint}`;
  }
  // The engine's own message says what is wrong; the method and path add nothing for a user.
  const engineMessage = (err as { json?: { message?: unknown } })?.json?.message;
  if (typeof engineMessage === "string" && engineMessage.trim()) {
    return oneLine(new Error(withoutRuntimeNoise(engineMessage.trim())), secrets);
  }
  return oneLine(err, secrets);
}

/** "failed to create shim task: OCI runtime create failed: runc create failed: unable to start
 * container process: exec: "/x": stat /x: no such file or directory: unknown" → the last part. */
function withoutRuntimeNoise(message: string): string {
  const cause = /unable to start container process: (.*?)(: unknown)?$/.exec(message)?.[1];
  return cause ? `the container could not start: ${cause}` : message;
}
