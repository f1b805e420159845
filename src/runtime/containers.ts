// The container calls a run makes, on one container, by id or name.

import type { IncomingMessage } from "node:http";
import type { ContainerCreateOptions, ContainerInspectInfo } from "dockerode";
import type { EngineClient } from "./engine.js";

export interface ContainerApi {
  readonly id: string;
  inspect(): Promise<ContainerInspectInfo>;
  /** Resolves also when it was already started (304). */
  start(): Promise<void>;
  /** The multiplexed output from now on; attach before start to miss nothing. */
  attach(): Promise<IncomingMessage>;
  /** The multiplexed output from the start, following until the container ends. */
  logs(): Promise<IncomingMessage>;
  /** Resolves with the exit code once the container is not running (at once if it ended). */
  wait(): Promise<{ StatusCode?: number }>;
  /** SIGTERM (the image's stop signal), SIGKILL after `graceSeconds`; resolves when stopped. */
  stop(graceSeconds: number): Promise<void>;
  remove(): Promise<void>;
}

export function containerApi(engine: EngineClient, id: string): ContainerApi {
  const base = `/containers/${encodeURIComponent(id)}`;
  const output = { stdout: 1, stderr: 1 };
  return {
    id,
    inspect: () => engine.call("GET", `${base}/json`),
    start: () => engine.call("POST", `${base}/start`, { alsoOk: [304] }),
    attach: () => engine.open("POST", `${base}/attach`, { query: { stream: 1, ...output } }),
    logs: () => engine.open("GET", `${base}/logs`, { query: { follow: 1, ...output } }),
    wait: () => engine.call("POST", `${base}/wait`, { query: { condition: "not-running" } }),
    stop: (graceSeconds) =>
      engine.call("POST", `${base}/stop`, { query: { t: graceSeconds }, alsoOk: [304] }),
    remove: () => engine.call("DELETE", base, { query: { force: 1 } }),
  };
}

/** Creates the container; rejects with status 409 when the name is taken. */
export async function createContainer(
  engine: EngineClient,
  options: ContainerCreateOptions,
): Promise<ContainerApi> {
  const { name, ...body } = options;
  const created = await engine.call<{ Id: string }>("POST", "/containers/create", {
    query: { name },
    body,
  });
  return containerApi(engine, created.Id);
}
