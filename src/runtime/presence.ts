// Whether another agent with our id (the same repository) is alive. The job's lock
// (job-lock.ts) costs every run a lock object created and removed, which a busy engine pays
// twice over in a burst; an agent alone needs none. So each agent keeps a marker in the engine,
// renewed every `renewMs` (a new one made, then the old one removed), and a run takes the lock
// only while the markers show another live agent. A marker not renewed within `leaseMs` of our
// own newest one (both stamped by the engine's clock) is a crashed agent's, and is ignored.
//
// An agent that finds another at its start takes the lock at once; the other takes it from its
// next look (every `refreshMs`). A run the other decided before that look, and creates only after
// the newcomer's first run asked the engine, could still go beside it: a window as long as one
// run's create, once, when an agent joins. Holding the newcomer's runs instead would run late
// ticks that the other agent has already run and removed (the tick's name no longer stops them).

import { randomBytes } from "node:crypto";
import type { Logger } from "../log.js";

export interface Marker {
  name: string;
  instance: string;
  /** Epoch milliseconds, as the engine stamped it. */
  createdAt: number;
}

/** Where a runtime keeps the markers (lock-stores.ts). */
export interface MarkerStore {
  /** Resolves also when it exists already. */
  create(name: string, labels: Record<string, string>): Promise<void>;
  list(agent: string): Promise<Marker[]>;
  /** Never rejects. */
  remove(name: string): Promise<void>;
}

export const PRESENCE_LABEL = "gitcron.presence";
export const INSTANCE_LABEL = "gitcron.instance";

export interface Presence {
  /** True while another agent with our id is alive, as seen at most `refreshMs` ago; true too
   * when the engine cannot say (the lock is the safe side). */
  shared(): Promise<boolean>;
  /** Stops renewing and removes our marker; never rejects. */
  withdraw(): Promise<void>;
}

export interface PresenceOptions {
  agent: string;
  logger: Logger;
  renewMs?: number;
  refreshMs?: number;
  now?: () => number;
}

export async function announce(store: MarkerStore, options: PresenceOptions): Promise<Presence> {
  const { agent, logger } = options;
  const renewMs = options.renewMs ?? 30_000;
  const refreshMs = options.refreshMs ?? 1_000;
  const leaseMs = 3 * renewMs;
  const now = options.now ?? Date.now;
  const instance = randomBytes(4).toString("hex");
  const labels = { [PRESENCE_LABEL]: agent, [INSTANCE_LABEL]: instance };
  let sequence = 0;
  let current = markerName(agent, instance, sequence);
  let withdrawn = false;

  const look = async (): Promise<number> => {
    const markers = await store.list(agent);
    const ours = markers.filter((m) => m.instance === instance).map((m) => m.createdAt);
    const newest = ours.length > 0 ? Math.max(...ours) : now();
    return new Set(
      markers
        .filter((m) => m.instance !== instance && m.createdAt > newest - leaseMs)
        .map((m) => m.instance),
    ).size;
  };

  let others: number;
  try {
    await store.create(current, labels);
    others = await look();
  } catch (err) {
    logger.warn(
      { err: String(err) },
      "cannot tell whether another agent of this repository runs; every run takes the job's lock",
    );
    return { shared: async () => true, withdraw: async () => {} };
  }
  if (others > 0) {
    logger.info(
      { others },
      "another agent of this repository is running; runs take the job's lock",
    );
  }

  let seen = { at: now(), shared: others > 0 };
  let looking: Promise<boolean> | null = null;
  const shared = async (): Promise<boolean> => {
    if (now() - seen.at < refreshMs) return seen.shared;
    looking ??= look()
      .then(
        (count) => count > 0,
        () => true,
      )
      .then((value) => {
        if (value !== seen.shared) {
          logger.info(
            { shared: value },
            value
              ? "another agent of this repository started; runs take the job's lock"
              : "no other agent of this repository is running; runs take no lock",
          );
        }
        seen = { at: now(), shared: value };
        looking = null;
        return value;
      });
    return looking;
  };

  const renew = async () => {
    const next = markerName(agent, instance, ++sequence);
    try {
      await store.create(next, labels);
    } catch {
      // Tried again at the next renewal; the marker before still stands until its lease ends.
      return;
    }
    if (withdrawn) return store.remove(next);
    const previous = current;
    current = next;
    await store.remove(previous);
  };
  const timer = setInterval(() => {
    if (!withdrawn) void renew();
  }, renewMs);
  timer.unref();

  return {
    shared,
    async withdraw() {
      withdrawn = true;
      clearInterval(timer);
      await store.remove(current);
    },
  };
}

/** A runtime's presences, one per agent id it announced. */
export function presences(
  store: MarkerStore,
  options: Pick<PresenceOptions, "logger" | "renewMs" | "refreshMs">,
) {
  const byAgent = new Map<string, Presence>();
  return {
    async announce(agent: string): Promise<Presence> {
      const presence = await announce(store, { ...options, agent });
      byAgent.set(agent, presence);
      return presence;
    },
    of: (agent: string) => byAgent.get(agent),
  };
}

/** Whether a run must take the job's lock: while another agent is alive; always when the
 * runtime announced no presence. */
export const lockNeeded = async (presence: Presence | undefined): Promise<boolean> =>
  presence ? presence.shared() : true;

const markerName = (agent: string, instance: string, sequence: number) =>
  `gitcron-agent-${agent}-${instance}-${sequence}`;
