// Where each runtime keeps a job's lock (job-lock.ts), and how it sees the run holding one.

import type { ContainerInfo } from "dockerode";
import { engineStatus } from "./connection.js";
import { type ContainerApi, containerApi } from "./containers.js";
import type { EngineClient } from "./engine.js";
import type { HolderRun, LockInfo, LockStore } from "./job-lock.js";
import { LABEL, swarmName } from "./names.js";

const runLabels = (job: string, agent: string, runId: string) =>
  JSON.stringify({
    label: [`${LABEL.job}=${job}`, `${LABEL.agent}=${agent}`, `${LABEL.run}=${runId}`],
  });

const LIVE = new Set(["running", "restarting", "paused"]);

/** On one engine: a container of the run's image (the engine needs one), never started, without
 * a network. */
export function containerLocks(client: EngineClient): LockStore {
  return {
    async create(name, labels, image) {
      const created = await client.call<{ Id: string }>("POST", "/containers/create", {
        query: { name },
        body: {
          Image: image,
          Entrypoint: ["gitcron-lock"],
          Cmd: [],
          NetworkDisabled: true,
          HostConfig: { NetworkMode: "none" },
          Labels: labels,
        },
      });
      return created.Id;
    },
    async read(name) {
      const info = await orMissing(
        client.call<{ Id: string; Created: string; Config: { Labels?: Record<string, string> } }>(
          "GET",
          `/containers/${encodeURIComponent(name)}/json`,
        ),
      );
      return info && lockInfo(info.Id, info.Created, info.Config.Labels);
    },
    // v: the image's own VOLUME declarations gave the lock anonymous volumes.
    remove: (id) =>
      quietly(client.call("DELETE", `/containers/${id}`, { query: { force: 1, v: 1 } })),
    async holderRun(job, agent, runId) {
      const [run] = await client.call<ContainerInfo[]>("GET", "/containers/json", {
        query: { all: 1, filters: runLabels(job, agent, runId) },
      });
      if (!run) return undefined;
      const state =
        run.State === "created" ? "starting" : LIVE.has(run.State) ? "running" : "ended";
      return holder(state, containerApi(client, run.Id));
    },
  };
}

/** On a Swarm: a config, kept by the managers' Raft store, so it locks across nodes; the run is
 * a service (`api` reads its task as a container's state). */
export function configLocks(client: EngineClient, api: (id: string) => ContainerApi): LockStore {
  return {
    async create(name, labels) {
      const created = await client.call<{ ID: string }>("POST", "/configs/create", {
        // A config must hold at least one byte.
        body: { Name: swarmName(name), Labels: labels, Data: Buffer.from(name).toString("base64") },
      });
      return created.ID;
    },
    async read(name) {
      const info = await orMissing(
        client.call<{ ID: string; CreatedAt: string; Spec: { Labels?: Record<string, string> } }>(
          "GET",
          `/configs/${encodeURIComponent(swarmName(name))}`,
        ),
      );
      return info && lockInfo(info.ID, info.CreatedAt, info.Spec.Labels);
    },
    remove: (id) => quietly(client.call("DELETE", `/configs/${id}`)),
    async holderRun(job, agent, runId) {
      const [service] = await client.call<{ ID: string }[]>("GET", "/services", {
        query: { filters: runLabels(job, agent, runId) },
      });
      if (!service) return undefined;
      const run = api(service.ID);
      const status = (await orMissing(run.inspect()))?.State.Status;
      if (status === undefined) return undefined;
      return holder(
        status === "created" ? "starting" : status === "running" ? "running" : "ended",
        run,
      );
    },
  };
}

const holder = (state: HolderRun["state"], run: ContainerApi): HolderRun => ({
  state,
  ended: async () => {
    await run.wait();
  },
});

const lockInfo = (
  id: string,
  created: string,
  labels?: Record<string, string> | null,
): LockInfo => ({
  id,
  createdAt: Date.parse(created),
  labels: labels ?? {},
});

async function orMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (engineStatus(err) === 404) return undefined;
    throw err;
  }
}

async function quietly(call: Promise<unknown>): Promise<void> {
  await call.catch(() => undefined);
}
