// A run on Swarm is a service in replicated-job mode (one completion, no restart). This module
// turns the container a run would create into that service (so SPEC §4 is enforced by the same
// code as on Docker) and puts a ContainerApi face on the service, so the Docker runtime's steps
// — follow, settle, hand over — serve Swarm unchanged.

import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import type { ContainerInspectInfo } from "dockerode";
import type { JobSpec } from "../jobs/spec.js";
import { engineStatus } from "./connection.js";
import type { ContainerApi } from "./containers.js";
import type { EngineClient } from "./engine.js";
import { LABEL, swarmName } from "./names.js";
import { volumeLabels } from "./volumes.js";

interface Task {
  ID: string;
  CreatedAt: string;
  Status: {
    State: string;
    Timestamp?: string;
    Err?: string;
    Message?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

interface Service {
  ID: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    TaskTemplate: { ContainerSpec: { Image: string; Env?: string[]; TTY?: boolean } };
  };
}

const TERMINAL = new Set(["complete", "failed", "shutdown", "rejected", "orphaned", "remove"]);
/** What the engine reports for an instant that has not come. */
const NO_INSTANT = "0001-01-01T00:00:00Z";
const NOT_YET_RUNNING = new Set([
  "new",
  "pending",
  "assigned",
  "accepted",
  "preparing",
  "ready",
  "starting",
]);

/** The service spec for a run, from the container create options the Docker runtime builds. */
export function serviceSpecFrom(
  container: Dockerode.ContainerCreateOptions,
  spec: Pick<JobSpec, "placement">,
  stopGraceMs: number,
): Record<string, unknown> {
  const host = container.HostConfig ?? {};
  const labels = container.Labels ?? {};
  // A node creates a missing volume itself: labelled as the agent's, as the Docker runtime
  // creates it (the manager has claimed it on its own engine already).
  const mounts: unknown[] = (host.Mounts ?? []).map((m) =>
    m.Type === "volume"
      ? {
          ...m,
          VolumeOptions: {
            Labels: volumeLabels(labels[LABEL.agent] ?? "", labels[LABEL.job] ?? ""),
          },
        }
      : m,
  );
  if (host.ReadonlyRootfs) {
    // The restricted policy's writable /tmp, as on Docker (64 MiB).
    mounts.push({ Type: "tmpfs", Target: "/tmp", TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } });
  }
  return {
    Name: swarmName(container.name ?? ""),
    Labels: container.Labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: container.Image,
        Command: container.Entrypoint,
        Args: container.Cmd,
        Env: container.Env,
        Dir: container.WorkingDir || undefined,
        User: container.User || undefined,
        TTY: container.Tty || undefined,
        Labels: container.Labels,
        Mounts: mounts,
        ReadOnly: host.ReadonlyRootfs || undefined,
        CapabilityDrop: host.CapDrop,
        // Engines with API 1.44+ (Docker 25) apply it; older ones ignore the field, and the
        // runtime warns at start that dockerd must set it (--no-new-privileges).
        Privileges: { NoNewPrivileges: true },
        StopGracePeriod: stopGraceMs * 1_000_000,
      },
      Resources: {
        Limits: { NanoCPUs: host.NanoCpus, MemoryBytes: host.Memory, Pids: host.PidsLimit },
      },
      RestartPolicy: { Condition: "none", MaxAttempts: 0 },
      Placement: spec.placement && {
        Constraints: spec.placement.constraints,
        Preferences: spec.placement.preferences.map((p) => ({
          Spread: { SpreadDescriptor: p.spread },
        })),
      },
      Networks: host.NetworkMode ? [{ Target: host.NetworkMode }] : undefined,
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}

export interface ServiceApiOptions {
  /** How long a task may wait for a node (placement, resources) before the run is an error. */
  pendingLimitMs: number;
  pollMs?: number;
}

export interface ServiceApi extends ContainerApi {
  /** Resolves once a node runs the task (or it already ended); rejects with the swarm's reason
   * when none does within the pending limit. */
  placed(): Promise<void>;
}

/** A ContainerApi over a job service: its one task plays the container. */
export function serviceApi(
  client: EngineClient,
  id: string,
  options: ServiceApiOptions,
): ServiceApi {
  const base = `/services/${encodeURIComponent(id)}`;
  const pollMs = options.pollMs ?? 200;
  let lastTask: Task | undefined;
  let lastService: Service | undefined;
  let startedAt: string | undefined;
  let output: PassThrough | undefined;
  let source: IncomingMessage | undefined;

  async function latestTask(): Promise<Task | undefined> {
    const filters = JSON.stringify({ service: [id] });
    // Filtering by a service that was removed is a 404: no tasks to list.
    const tasks = await client
      .call<Task[]>("GET", "/tasks", { query: { filters } })
      .catch((err: unknown) => {
        if (engineStatus(err) === 404) return [];
        throw err;
      });
    const newest = tasks.sort((a, b) => Date.parse(b.CreatedAt) - Date.parse(a.CreatedAt))[0];
    if (newest) lastTask = newest;
    else if (lastTask && !TERMINAL.has(lastTask.Status.State))
      lastTask = await afterRemoval(lastTask);
    return lastTask;
  }

  /** The service was removed (by the other follower of a run, after recording it): read the
   * end from the task's container, which outlives the service for a moment. */
  async function afterRemoval(task: Task): Promise<Task> {
    const containerId = task.Status.ContainerStatus?.ContainerID;
    if (!containerId) return task;
    try {
      const info = await client.call<{ State: { Status: string; ExitCode: number } }>(
        "GET",
        `/containers/${containerId}/json`,
      );
      if (info.State.Status !== "exited" && info.State.Status !== "dead") return task;
      const ContainerStatus = { ContainerID: containerId, ExitCode: info.State.ExitCode };
      return { ...task, Status: { ...task.Status, State: "complete", ContainerStatus } };
    } catch (err) {
      if (engineStatus(err) !== 404) throw err;
      return { ...task, Status: { ...task.Status, State: "remove" } };
    }
  }

  // Swarm's log stream does not end when the job does: end ours once the task has.
  function endOutput() {
    setTimeout(() => {
      output?.end();
      source?.destroy();
    }, 300);
  }

  const stateOf = (task: Task | undefined) =>
    !task || NOT_YET_RUNNING.has(task.Status.State)
      ? "created"
      : TERMINAL.has(task.Status.State)
        ? "exited"
        : "running";

  const notPlaced = (task: Task | undefined) =>
    new Error(
      `no node could run the task within ${Math.round(options.pendingLimitMs / 1000)}s: ${
        task?.Status.Err ?? task?.Status.Message ?? "no node took it"
      }`,
    );

  return {
    id,
    async placed() {
      const since = Date.now();
      for (;;) {
        const task = await latestTask();
        if (stateOf(task) !== "created") return;
        if (Date.now() - since > options.pendingLimitMs) throw notPlaced(task);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async inspect() {
      let service: Service;
      try {
        service = await client.call<Service>("GET", base);
        lastService = service;
      } catch (err) {
        if (engineStatus(err) !== 404 || !lastService) throw err;
        service = lastService;
      }
      const task = await latestTask();
      // First seen running: it started about now. First seen ended (adopted after its end): the
      // task's creation is the nearest start a Swarm keeps.
      if (!startedAt && stateOf(task) !== "created")
        startedAt =
          task && TERMINAL.has(task.Status.State) ? task.CreatedAt : task?.Status.Timestamp;
      const container = service.Spec.TaskTemplate.ContainerSpec;
      const info = {
        Id: service.ID,
        Name: `/${service.Spec.Name}`,
        Image: container.Image,
        Config: {
          Labels: service.Spec.Labels ?? {},
          Env: container.Env ?? [],
          Image: container.Image,
          Tty: container.TTY === true,
        },
        State: {
          Status: stateOf(task),
          StartedAt: startedAt ?? task?.CreatedAt ?? new Date().toISOString(),
          // A task's timestamp is its last change of state: for an ended one, its end.
          FinishedAt: task && TERMINAL.has(task.Status.State) ? task.Status.Timestamp : NO_INSTANT,
          OOMKilled: false,
        },
      };
      return info as unknown as ContainerInspectInfo;
    },
    // A service starts its task when it is created.
    start: async () => {},
    attach: () => openLogs(),
    logs: () => openLogs(),
    async wait() {
      const since = Date.now();
      for (;;) {
        const task = await latestTask();
        const state = task?.Status.State;
        if (state === "rejected") {
          endOutput();
          throw new Error(`the swarm rejected the task: ${task?.Status.Err ?? "no reason given"}`);
        }
        if (state && TERMINAL.has(state)) {
          endOutput();
          const exitCode = task?.Status.ContainerStatus?.ExitCode;
          if (state === "remove" && exitCode === undefined) {
            throw new Error(
              "the run's service and container were removed before its end could be read",
            );
          }
          // The API leaves ExitCode out when it is 0.
          return { StatusCode: exitCode ?? 0 };
        }
        if (stateOf(task) === "created" && Date.now() - since > options.pendingLimitMs) {
          endOutput();
          throw notPlaced(task);
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async stop(graceSeconds) {
      // Stopping the task's container is what `docker stop` does, grace and all. Removing the
      // service would be the cluster-wide way, but Docker 20.10 leaves a job's task running then.
      const containerId = (await latestTask())?.Status.ContainerStatus?.ContainerID;
      if (containerId) {
        try {
          await client.call("POST", `/containers/${containerId}/stop`, {
            query: { t: graceSeconds },
            alsoOk: [304],
          });
          return;
        } catch (err) {
          if (engineStatus(err) !== 404) throw err;
        }
      }
      await client.call("DELETE", base);
    },
    async remove() {
      await client.call("DELETE", base);
    },
  };

  async function openLogs(): Promise<IncomingMessage> {
    if (!output) {
      output = new PassThrough();
      source = await client.open("GET", `${base}/logs`, {
        query: { follow: 1, stdout: 1, stderr: 1 },
      });
      source.pipe(output);
    }
    return output as unknown as IncomingMessage;
  }
}
