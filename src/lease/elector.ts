// The loop that holds one agent's place in the election (SPEC §3): every --lease/3 it looks at
// the lease and the standbys' announcements, pushes what election.ts decides, and tells the
// agent when it becomes the leader, stands by, or — a leader that cannot renew and has seen a
// standby — must start no new runs. A standby announces itself every --lease.

import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../log.js";
import type { Alongside } from "../status/store.js";
import {
  afterPush,
  decide,
  type ElectionState,
  initialState,
  leadingUnseen,
  type PushOutcome,
  type Role,
} from "./election.js";
import { type Holder, LeaseRefusedError, type LeaseRemote, leaseMessage } from "./lease-remote.js";

export interface ElectorOptions {
  remote: LeaseRemote;
  /** The agent's data folder: an agent restarted on it takes its own lease back at once. */
  dataDir: string;
  leaseMs: number;
  clock: Clock;
  /** Milliseconds that only go forward (default performance.now): never another host's clock. */
  monotonic?: () => number;
  logger: Logger;
  /** This agent now leads: it adopts what runs and starts runs. */
  onLead(): Promise<void>;
  /** This agent no longer leads (another took the lease over): it starts nothing new. */
  onStandby(): void;
  /** A leader that cannot renew stops (true) or resumes (false) starting runs. */
  onHold(holding: boolean): void;
}

export interface Elector {
  readonly holder: Holder;
  role(): Role;
  /** Who leads as this agent last saw it (itself when leader), or null when unknown. */
  leader(): Holder | null;
  /** The first look: resolves once this agent knows whether it leads. */
  start(): Promise<Role>;
  /** Stops looking; a leader gives the lease up so a standby takes over at once. */
  stop(): Promise<void>;
  /** A renewal to push with a status batch (null: not leading, or a push of the lease is
   * already under way); `settle` says whether it moved. */
  renewal(): Promise<Alongside | null>;
}

export function holderFor(dataDir: string): Holder {
  return {
    process: randomBytes(6).toString("hex"),
    host: hostname(),
    pid: process.pid,
    home: createHash("sha256").update(`${hostname()}\0${dataDir}`).digest("hex").slice(0, 16),
  };
}

export function createElector(options: ElectorOptions): Elector {
  const { remote, clock, logger, leaseMs } = options;
  const now = options.monotonic ?? (() => performance.now());
  const timing = { leaseMs, marginMs: Math.min(10_000, leaseMs / 3) };
  const holder = holderFor(options.dataDir);
  let state: ElectionState = initialState(now());
  /** Each standby's announcement and when this agent first saw it as it is. */
  let seenStandbys = new Map<string, { oid: string; since: number }>();
  let leader: Holder | null = null;
  const holders = new Map<string, Holder | null>();
  let lastAnnounced = Number.NEGATIVE_INFINITY;
  let reachable = false;
  const halt = new AbortController();
  let loop: Promise<void> | null = null;
  // One push of the lease at a time: a look's own, or a renewal riding on a status push (whose
  // commit a look may see on the remote before the push reports back).
  let pushing: "own" | { expected: string } | null = null;
  // Settled when no renewal rides on a push: stop() gives up the lease only after it.
  let rideSettled: Promise<void> = Promise.resolve();

  const holderOf = async (oid: string) => {
    if (!holders.has(oid)) holders.set(oid, await remote.holderOf(oid).catch(() => null));
    return holders.get(oid) ?? null;
  };

  /** A standby killed without a stop leaves its announcement behind: once it has not changed
   * for three leases (a live one announces every lease), the leader removes it. */
  const forgetGoneStandbys = async (looked: number) => {
    for (const [p, seen] of seenStandbys) {
      if (looked - seen.since < 3 * leaseMs) continue;
      try {
        await remote.forget(p, seen.oid);
        seenStandbys.delete(p);
        logger.info({ standby: p }, "removed the announcement of a standby gone silent");
      } catch (err) {
        logger.debug({ err: remote.errorText(err) }, "cannot remove a standby's announcement");
      }
    }
  };

  /** One look and whatever it calls for. */
  const turn = async () => {
    const before = state;
    let view: Awaited<ReturnType<LeaseRemote["look"]>> | null = null;
    try {
      view = await remote.look();
    } catch (err) {
      logger.debug({ err: remote.errorText(err) }, "cannot read the lease");
    }
    let seen: Parameters<typeof decide>[1] = { reachable: false };
    reachable = view !== null;
    if (view) {
      const others = new Map([...view.standbys].filter(([p]) => p !== holder.process));
      const standbyChanged = [...others].some(([p, oid]) => seenStandbys.get(p)?.oid !== oid);
      for (const p of others.keys())
        if (state.role === "leader" && !seenStandbys.has(p))
          logger.info({ standby: p }, "a standby of this repository announced itself");
      const looked = now();
      seenStandbys = new Map(
        [...others].map(([p, oid]) => {
          const before = seenStandbys.get(p);
          return [p, before?.oid === oid ? before : { oid, since: looked }];
        }),
      );
      if (state.role === "leader") await forgetGoneStandbys(looked);
      const current = view.oid ? await holderOf(view.oid) : null;
      const ours =
        view.oid !== null &&
        (state.role === "leader" ? view.oid === state.leaseOid : current?.home === holder.home);
      if (state.role === "standby") leader = current;
      seen = { reachable: true, leaseOid: view.oid, ours, standbyChanged };
      // A lease we do not know while a renewal of ours rides on a status push may be that
      // renewal: this look decides nothing; the push reports back before the next.
      if (!ours && state.role === "leader" && pushing !== null && pushing !== "own") return;
    }
    const decided = decide(state, seen, now(), timing);
    state = decided.state;
    const { action } = decided;
    if (action.kind !== "wait" && pushing === null) {
      pushing = "own";
      let outcome: PushOutcome;
      try {
        outcome = { kind: "won", leaseOid: await remote.claim(holder, action.expected) };
      } catch (err) {
        outcome = err instanceof LeaseRefusedError ? { kind: "lost" } : { kind: "failed" };
        if (outcome.kind === "failed")
          logger.warn({ err: remote.errorText(err) }, "cannot push the lease");
      } finally {
        pushing = null;
      }
      state = afterPush(state, outcome, now());
    }
    if (state.role === "standby" && now() - lastAnnounced >= leaseMs) {
      await remote.announce(holder).then(
        () => {
          lastAnnounced = now();
        },
        (err: unknown) =>
          logger.debug({ err: remote.errorText(err) }, "cannot announce this standby"),
      );
    }
    await react(before);
  };

  const react = async (before: ElectionState) => {
    if (before.role !== "leader" && state.role === "leader") {
      leader = holder;
      logger.info({ process: holder.process, host: holder.host }, "this agent leads now");
      await options.onLead();
    } else if (before.role === "leader" && state.role === "standby") {
      logger.warn(
        { leader: leader?.host ?? null },
        "another agent took the lease over; standing by",
      );
      options.onStandby();
    } else if (state.role === "leader" && before.holding !== state.holding) {
      if (state.holding)
        logger.error(
          { leaseMs },
          "cannot renew the lease and a standby is alive: starting no new runs until it is renewed",
        );
      else logger.info("the lease is renewed: starting runs again");
      options.onHold(state.holding);
    }
  };

  const run = async () => {
    while (!halt.signal.aborted) {
      await clock.sleep(leaseMs / 3, halt.signal);
      if (halt.signal.aborted) break;
      await turn().catch((err: unknown) =>
        logger.error({ err: remote.errorText(err) }, "lease look failed"),
      );
    }
  };

  return {
    holder,
    role: () => state.role,
    leader: () => leader,
    async start() {
      await turn();
      if (!reachable && state.role === "standby") {
        logger.warn("cannot read the lease at start-up: leading, as an agent alone would");
        const before = state;
        state = leadingUnseen(state, now());
        await react(before);
      } else if (state.role === "standby")
        logger.info(
          { leader: leader ? `${leader.host} (pid ${leader.pid})` : null },
          "another agent of this repository leads: standing by",
        );
      loop = run();
      return state.role;
    },
    async renewal() {
      if (halt.signal.aborted || pushing !== null) return null;
      if (state.role !== "leader" || state.holding || state.leaseOid === null) return null;
      const ride = { expected: state.leaseOid };
      pushing = ride;
      let done = () => {};
      rideSettled = new Promise((resolve) => {
        done = resolve;
      });
      return {
        update: { ref: remote.leaseRef, expected: ride.expected, message: leaseMessage(holder) },
        settle: (commit) => {
          if (pushing === ride) pushing = null;
          done();
          // Only over the lease it was built on: a look may have moved on meanwhile.
          if (!commit || state.role !== "leader" || state.leaseOid !== ride.expected) return;
          const before = state;
          state = afterPush(state, { kind: "won", leaseOid: commit }, now());
          void react(before);
        },
      };
    },
    async stop() {
      halt.abort();
      await loop;
      await rideSettled;
      await remote.withdraw(holder, state.role === "leader" ? state.leaseOid : null);
    },
  };
}
