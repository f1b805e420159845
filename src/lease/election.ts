// One active agent per repository (SPEC §3): what an agent does on each look at the lease, as a
// pure function of what it saw and its own monotonic clock — never another host's clock. The
// loop that looks, pushes and acts on the answer is elector.ts.

export type Role = "leader" | "standby";

/** What one agent remembers between looks. Times are its own monotonic milliseconds. */
export interface ElectionState {
  role: Role;
  /** The lease commit last seen on the remote (or written by us); null: no lease there. */
  leaseOid: string | null;
  /** When `leaseOid` was first seen as it is (standby) or last written (leader). */
  since: number;
  /** When a standby of ours was last seen alive (its announcement changed); null: never. */
  standbySeenAt: number | null;
  /** A leader that cannot renew and has seen a standby stops starting runs. */
  holding: boolean;
}

export interface ElectionTiming {
  leaseMs: number;
  /** How long before the lease runs out a leader that cannot renew stops starting runs. */
  marginMs: number;
}

/** What a look found: the lease on the remote, or that the remote could not be read. */
export type Observation =
  | { reachable: true; leaseOid: string | null; ours: boolean; standbyChanged: boolean }
  | { reachable: false };

export type Action =
  /** Nothing to push. */
  | { kind: "wait" }
  /** Push a new lease commit over `expected` (null: the ref must not exist yet). */
  | { kind: "claim"; expected: string | null }
  /** Renew ours over `expected`. */
  | { kind: "renew"; expected: string };

/** A leader that renewed this recently (a renewal riding on a status push) skips the renewal
 * of its next look; it renews at the one after, within half a lease of the last. */
export const renewedLatelyMs = (t: ElectionTiming) => t.leaseMs / 6;

/** A standby counts as alive this long after its announcement last changed. */
export const standbyAliveMs = (t: ElectionTiming) => 2 * t.leaseMs;

/** The state after a look, and what to push (the caller reports the push with afterPush). */
export function decide(
  state: ElectionState,
  seen: Observation,
  now: number,
  t: ElectionTiming,
): { state: ElectionState; action: Action } {
  const wait = { kind: "wait" } as const;
  if (state.role === "leader") {
    if (!seen.reachable) {
      // A lone agent keeps running through a Git outage; one that has seen a standby stops
      // starting runs before the standby may take over (the lease minus a margin).
      const standbyAlive =
        state.standbySeenAt !== null && now - state.standbySeenAt < standbyAliveMs(t);
      const holding = standbyAlive && now - state.since >= t.leaseMs - t.marginMs;
      return { state: { ...state, holding }, action: wait };
    }
    const standbySeenAt = seen.standbyChanged ? now : state.standbySeenAt;
    // A leader that started while the remote was dark has no lease yet: it claims one.
    if (seen.leaseOid === null)
      return { state: { ...state, standbySeenAt }, action: { kind: "claim", expected: null } };
    if (!seen.ours) {
      // Someone else holds it now (we could not renew in time): we stand by.
      return {
        state: {
          ...state,
          role: "standby",
          leaseOid: seen.leaseOid,
          since: now,
          standbySeenAt,
          holding: false,
        },
        action: wait,
      };
    }
    // Renewed a moment ago with a status push (it rides along): no push of its own.
    const action: Action =
      now - state.since > renewedLatelyMs(t)
        ? { kind: "renew", expected: seen.leaseOid as string }
        : wait;
    return { state: { ...state, standbySeenAt }, action };
  }
  if (!seen.reachable) return { state, action: wait };
  if (seen.leaseOid === null) return { state, action: { kind: "claim", expected: null } };
  // Our own lease (a restart of the same agent on the same data folder): take it back at once.
  if (seen.ours) return { state, action: { kind: "claim", expected: seen.leaseOid } };
  if (seen.leaseOid !== state.leaseOid)
    return { state: { ...state, leaseOid: seen.leaseOid, since: now }, action: wait };
  if (now - state.since >= t.leaseMs)
    return { state, action: { kind: "claim", expected: seen.leaseOid } };
  return { state, action: wait };
}

export type PushOutcome =
  /** The new lease commit is on the remote. */
  | { kind: "won"; leaseOid: string }
  /** Refused: the lease was no longer what we expected (someone else claimed or renewed). */
  | { kind: "lost" }
  /** The remote could not be reached: nothing is known. */
  | { kind: "failed" };

/** The state after the push `decide` asked for. */
export function afterPush(state: ElectionState, outcome: PushOutcome, now: number): ElectionState {
  if (outcome.kind === "won")
    return { ...state, role: "leader", leaseOid: outcome.leaseOid, since: now, holding: false };
  // Lost a race: look again from scratch, as a standby.
  if (outcome.kind === "lost")
    return { ...state, role: "standby", leaseOid: null, since: now, holding: false };
  return state;
}

/** An agent that cannot read the lease at its start leads, as a lone agent always did: its jobs
 * keep running through a Git outage. It claims a lease once the remote answers. */
export const leadingUnseen = (state: ElectionState, now: number): ElectionState => ({
  ...state,
  role: "leader",
  leaseOid: null,
  since: now,
});

export const initialState = (now: number): ElectionState => ({
  role: "standby",
  leaseOid: null,
  since: now,
  standbySeenAt: null,
  holding: false,
});
