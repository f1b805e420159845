// Reaching the engine as the Docker CLI does: DOCKER_HOST (unix://, tcp://, ssh://), TLS from
// DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, else the local socket. The environment is passed in, so
// tests can point a runtime at a socket that does not exist.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import Dockerode from "dockerode";
import { EnvironmentError, oneLine } from "../errors.js";

export const DEFAULT_SOCKET = "/var/run/docker.sock";

export interface EngineConnection {
  docker: Dockerode;
  /** Where the engine is, as a user would write it in DOCKER_HOST. */
  address: string;
}

export function connectDocker(env: Readonly<Record<string, string | undefined>>): EngineConnection {
  const host = env.DOCKER_HOST?.trim();
  // `host: undefined` overrides docker-modem's own reading of process.env.DOCKER_HOST.
  if (!host || host.startsWith("unix://")) {
    const socketPath = host?.slice("unix://".length) || DEFAULT_SOCKET;
    return {
      docker: new Dockerode({ socketPath, host: undefined }),
      address: `unix://${socketPath}`,
    };
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
    const docker = new Dockerode({
      protocol: "ssh",
      host: url.hostname,
      port: url.port || 22,
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: { agent: env.SSH_AUTH_SOCK },
    } as Dockerode.DockerOptions);
    return { docker, address: `ssh://${url.host}` };
  }
  if (url.protocol !== "tcp:" && url.protocol !== "http:" && url.protocol !== "https:") {
    throw new EnvironmentError(
      `DOCKER_HOST "${host}" uses ${url.protocol} which gitcron does not support`,
    );
  }
  const tls = env.DOCKER_TLS_VERIFY === "1" || url.protocol === "https:" || url.port === "2376";
  const certs = tls && env.DOCKER_CERT_PATH ? readCerts(env.DOCKER_CERT_PATH) : {};
  const docker = new Dockerode({
    host: url.hostname,
    port: url.port || (tls ? 2376 : 2375),
    protocol: tls ? "https" : "http",
    ...certs,
  });
  return { docker, address: `tcp://${url.host}` };
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
  // dockerode's message is "(HTTP code 404) no such container - <engine message> "; the engine's
  // own message is the useful part.
  const engineMessage = (err as { json?: { message?: unknown } })?.json?.message;
  if (typeof engineMessage === "string" && engineMessage.trim()) {
    return oneLine(new Error(engineMessage.trim()), secrets);
  }
  return oneLine(err, secrets);
}
