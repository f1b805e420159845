// One run of a job at a time among agents of one repository (they share the agent id, SPEC §4).
// The run's own name locks only its tick; two agents whose runs of *different* ticks checked
// the engine in the same second could both start. The job's lock is an object named
// gitcron-lock-<job>-<agent id> that the engine refuses to create twice: a container, created and
// never started, on one engine; a config on a Swarm, which the managers keep consistent. It names
// the run that holds it; a lock whose run has ended, or whose run never started in time, is
// taken over, so a crashed holder blocks nobody.

import { engineStatus } from "./connection.js";
import { LABEL } from "./names.js";

/** What the lock needs of a runtime: its lock objects, and the state of the run holding one. */
export interface LockStore {
  /** Rejects with the engine's 409 when the name is taken (404: no such image, on Docker, whose
   * lock is a container of the run's `image`). */
  create(name: string, labels: Record<string, string>, image: string): Promise<string>;
  /** undefined when there is no lock of that name. */
  read(name: string): Promise<LockInfo | undefined>;
  /** By id, so that a lock someone else took over meanwhile is never removed; never rejects. */
  remove(id: string): Promise<void>;
  /** The holder's run as the engine has it, undefined when it has none. */
  holderRun(job: string, agent: string, runId: string): Promise<HolderRun | undefined>;
}

export interface LockInfo {
  id: string;
  /** Epoch milliseconds. */
  createdAt: number;
  labels: Record<string, string>;
}

export interface HolderRun {
  /** `starting`: created, not running yet (a Swarm task not placed yet). */
  state: "starting" | "running" | "ended";
  /** Resolves when it is no longer running. */
  ended(): Promise<void>;
}

export interface JobLock {
  /** Removes the lock if it is still ours; never rejects. */
  release(): Promise<void>;
}

export interface JobLockRequest {
  job: string;
  agent: string;
  runId: string;
  /** The run's image. */
  image: string;
  /** Called once when the engine has no image for the lock (Docker's lock is a container). */
  pullImage?(): Promise<void>;
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

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireJobLock(
  store: LockStore,
  request: JobLockRequest,
): Promise<LockOutcome> {
  const name = lockNameFor(request.job, request.agent);
  const pollMs = request.pollMs ?? 250;
  let pulled = false;
  let waited = false;
  const waiting = (holder: string) => {
    if (!waited) request.onWait(holder);
    waited = true;
  };
  for (;;) {
    try {
      const labels = {
        [LABEL.lock]: request.job,
        [LABEL.lockHolder]: request.runId,
        [LABEL.agent]: request.agent,
      };
      const id = await store.create(name, labels, request.image);
      return { lock: { release: () => store.remove(id) } };
    } catch (err) {
      const status = engineStatus(err);
      if (status === 404 && request.pullImage && !pulled) {
        pulled = true;
        await request.pullImage();
        continue;
      }
      if (status !== 409) throw err;
    }
    const lock = await store.read(name);
    if (!lock) {
      // Removed in between, or the engine reserved the name before the lock can be read.
      await pause(50);
      continue;
    }
    const holder = lock.labels[LABEL.lockHolder] ?? "";
    if (holder === request.runId) return { sameTick: true };
    const run = await store.holderRun(request.job, request.agent, holder);
    if (run?.state === "running") {
      waiting(holder);
      await run.ended().catch(() => undefined);
      continue;
    }
    if ((!run || run.state === "starting") && Date.now() - lock.createdAt < request.graceMs) {
      // Its agent took the lock a moment ago and is creating or starting its run.
      waiting(holder);
      await pause(pollMs);
      continue;
    }
    // The holder's run ended, or never started in time: the lock is abandoned.
    await store.remove(lock.id);
  }
}

/** Takes the job's lock when the run asks for it. */
export type TakeLock = (store: LockStore, request: JobLockRequest) => Promise<void>;

/** Runs `body`, which may take the job's lock once; releases it when `body` is done, however it
 * ended (a run is done once handed over: recorded and its container removed). */
export async function holdingJobLock<T>(body: (takeLock: TakeLock) => Promise<T>): Promise<T> {
  let lock: JobLock | undefined;
  try {
    return await body(async (store, request) => {
      const outcome = await acquireJobLock(store, request);
      if ("lock" in outcome) lock = outcome.lock;
    });
  } finally {
    await lock?.release();
  }
}

/** Releases the lock on a run that this agent adopted (after a restart), when the lock still
 * names that run; never rejects. */
export async function releaseLockOf(
  store: LockStore,
  job: string,
  agent: string,
  runId: string,
): Promise<void> {
  const lock = await store.read(lockNameFor(job, agent)).catch(() => undefined);
  if (lock?.labels[LABEL.lockHolder] === runId) await store.remove(lock.id);
}
