// One run of a job at a time among agents of one repository (they share the agent id, SPEC §4).
// The run's own name locks only its tick; two agents whose runs of *different* ticks checked
// the engine in the same second could both start. The job's lock is a container named
// gitcron-lock-<job>-<agent id>: created, never started. The engine refuses a second container
// of a name, so of two agents only one holds it. It names the run that holds it; a lock whose run
// has ended, or whose run never appeared, is taken over, so a crashed holder blocks nobody.

import { engineStatus } from "./connection.js";
import { containerApi } from "./containers.js";
import type { EngineClient } from "./engine.js";
import { LABEL } from "./names.js";

export interface JobLock {
  /** Removes the lock if it is still ours; never rejects. */
  release(): Promise<void>;
}

export interface JobLockRequest {
  job: string;
  agent: string;
  runId: string;
  /** An image the engine has (the run's own): a container needs one, though this one never runs. */
  image: string;
  /** Called once when the engine answers that it has no such image; pulls it. */
  pullImage(): Promise<void>;
  /** Called once when the lock is held by another run, before waiting for it. */
  onWait(holder: string): void;
  /** How long a lock may stand with its run not started before it counts as abandoned. */
  graceMs: number;
  /** Between two looks at a holder that is not running yet (tests make it short). */
  pollMs?: number;
}

/** The lock once held; `sameTick` when an agent sharing our id holds it for this very run: the
 * tick's name then decides who runs it, and the other follows. */
export type LockOutcome = { lock: JobLock } | { sameTick: true };

export const lockNameFor = (job: string, agent: string) => `gitcron-lock-${job}-${agent}`;

interface LockInfo {
  Id: string;
  Created: string;
  Config: { Labels?: Record<string, string> | null };
}

interface RunInfo {
  Id: string;
  State: string;
}

const LIVE = new Set(["running", "restarting", "paused"]);

export async function acquireJobLock(
  client: EngineClient,
  request: JobLockRequest,
): Promise<LockOutcome> {
  const name = lockNameFor(request.job, request.agent);
  const pollMs = request.pollMs ?? 250;
  let pulled = false;
  let waited = false;
  for (;;) {
    try {
      const created = await client.call<{ Id: string }>("POST", "/containers/create", {
        query: { name },
        body: {
          Image: request.image,
          // Never started: nothing of the image runs, and it has no network.
          Entrypoint: ["gitcron-lock"],
          Cmd: [],
          NetworkDisabled: true,
          HostConfig: { NetworkMode: "none" },
          Labels: {
            [LABEL.lock]: request.job,
            [LABEL.lockHolder]: request.runId,
            [LABEL.agent]: request.agent,
          },
        },
      });
      return { lock: { release: () => removeLock(client, created.Id) } };
    } catch (err) {
      const status = engineStatus(err);
      if (status === 404 && !pulled) {
        pulled = true;
        await request.pullImage();
        continue;
      }
      if (status !== 409) throw err;
    }
    const lock = await inspect<LockInfo>(client, name);
    if (!lock) {
      // Removed in between, or the engine reserved the name before the container can be read.
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const holder = lock.Config.Labels?.[LABEL.lockHolder] ?? "";
    if (holder === request.runId) return { sameTick: true };
    const run = (await runsOf(client, request, holder))[0];
    if (run && LIVE.has(run.State)) {
      if (!waited) request.onWait(holder);
      waited = true;
      await containerApi(client, run.Id)
        .wait()
        .catch(() => undefined);
      continue;
    }
    const young = Date.now() - Date.parse(lock.Created) < request.graceMs;
    if (young && (!run || run.State === "created")) {
      // Its agent took the lock a moment ago and is creating or starting its run.
      if (!waited) request.onWait(holder);
      waited = true;
      await new Promise((r) => setTimeout(r, pollMs));
      continue;
    }
    // The holder's run ended, or never started in time: the lock is abandoned. Removed by id,
    // so a lock someone else took over meanwhile is never removed.
    await removeLock(client, lock.Id);
  }
}

/** Releases the lock on a run that this agent adopted (after a restart), when the lock still
 * names that run. */
export async function releaseLockOf(
  client: EngineClient,
  job: string,
  agent: string,
  runId: string,
): Promise<void> {
  const lock = await inspect<LockInfo>(client, lockNameFor(job, agent)).catch(() => undefined);
  if (lock?.Config.Labels?.[LABEL.lockHolder] === runId) await removeLock(client, lock.Id);
}

async function inspect<T>(client: EngineClient, name: string): Promise<T | undefined> {
  try {
    return await client.call<T>("GET", `/containers/${encodeURIComponent(name)}/json`);
  } catch (err) {
    if (engineStatus(err) === 404) return undefined;
    throw err;
  }
}

function runsOf(client: EngineClient, request: JobLockRequest, runId: string) {
  const filters = {
    label: [
      `${LABEL.job}=${request.job}`,
      `${LABEL.agent}=${request.agent}`,
      `${LABEL.run}=${runId}`,
    ],
  };
  return client.call<RunInfo[]>("GET", "/containers/json", {
    query: { all: 1, filters: JSON.stringify(filters) },
  });
}

async function removeLock(client: EngineClient, id: string): Promise<void> {
  // v: the image's own VOLUME declarations gave the lock anonymous volumes.
  await client
    .call("DELETE", `/containers/${encodeURIComponent(id)}`, { query: { force: 1, v: 1 } })
    .catch(() => undefined);
}
