// The election's decisions at fixed instants of one agent's own monotonic clock, as the
// Kubernetes CronJob controller's are tested: (state, what a look saw, now) → (state, push).

import { describe, expect, it } from "vitest";
import {
  afterPush,
  decide,
  type ElectionState,
  initialState,
  leadingUnseen,
  type Observation,
} from "../../src/lease/election.js";

const T = { leaseMs: 60_000, marginMs: 10_000 };
const saw = (leaseOid: string | null, ours = false, standbyChanged = false): Observation => ({
  reachable: true,
  leaseOid,
  ours,
  standbyChanged,
});
const dark: Observation = { reachable: false };
const leader = (over: Partial<ElectionState> = {}): ElectionState => ({
  ...initialState(0),
  role: "leader",
  leaseOid: "L1",
  since: 0,
  ...over,
});

describe("a standby", () => {
  it("claims a lease nobody holds", () => {
    expect(decide(initialState(0), saw(null), 0, T).action).toEqual({
      kind: "claim",
      expected: null,
    });
  });

  it("waits while the lease changes, and takes it over once it stood still for a whole lease", () => {
    let s = initialState(0);
    s = decide(s, saw("L1"), 1_000, T).state;
    expect(decide(s, saw("L1"), 60_999, T).action).toEqual({ kind: "wait" });
    // Renewed at 40 s: the count starts again.
    s = decide(s, saw("L2"), 40_000, T).state;
    expect(decide(s, saw("L2"), 99_999, T).action).toEqual({ kind: "wait" });
    expect(decide(s, saw("L2"), 100_000, T).action).toEqual({ kind: "claim", expected: "L2" });
  });

  it("takes its own lease back at once after a restart in place", () => {
    expect(decide(initialState(0), saw("L1", true), 0, T).action).toEqual({
      kind: "claim",
      expected: "L1",
    });
  });

  it("takes nothing over while the remote is dark", () => {
    let s = decide(initialState(0), saw("L1"), 0, T).state;
    s = decide(s, dark, 200_000, T).state;
    expect(decide(s, dark, 300_000, T).action).toEqual({ kind: "wait" });
  });

  it("becomes the leader by winning the push, and stays a standby by losing it", () => {
    expect(afterPush(initialState(0), { kind: "won", leaseOid: "L9" }, 5).role).toBe("leader");
    expect(afterPush(initialState(0), { kind: "lost" }, 5).role).toBe("standby");
  });
});

describe("a leader", () => {
  it("renews over its own lease commit", () => {
    expect(decide(leader(), saw("L1", true), 20_000, T).action).toEqual({
      kind: "renew",
      expected: "L1",
    });
  });

  it("skips the renewal of a look that follows a renewal riding on a status push", () => {
    // Renewed with a status push at 15 s; the looks come every 20 s.
    const s = afterPush(leader(), { kind: "won", leaseOid: "L2" }, 15_000);
    expect(decide(s, saw("L2", true), 20_000, T).action).toEqual({ kind: "wait" });
    expect(decide(s, saw("L2", true), 40_000, T).action).toEqual({
      kind: "renew",
      expected: "L2",
    });
  });

  it("alone, keeps starting runs however long the remote stays dark (no regression)", () => {
    const s = decide(leader(), dark, 10 * 60_000, T).state;
    expect(s).toMatchObject({ role: "leader", holding: false });
  });

  it("having seen a standby, stops starting runs at lease minus margin without a renewal", () => {
    const seen = decide(leader(), saw("L1", true, true), 1_000, T).state;
    const renewed = afterPush(seen, { kind: "won", leaseOid: "L2" }, 1_000);
    expect(decide(renewed, dark, 50_999, T).state.holding).toBe(false);
    expect(decide(renewed, dark, 51_000, T).state.holding).toBe(true);
    // Before the standby may take over (a whole lease after it last saw L2 change, ≥ 61 s).
  });

  it("a standby seen long ago no longer counts: alone again, it keeps running", () => {
    const seen = afterPush(
      decide(leader(), saw("L1", true, true), 0, T).state,
      { kind: "won", leaseOid: "L2" },
      0,
    );
    const later = afterPush(
      decide(seen, saw("L2", true), 200_000, T).state,
      { kind: "won", leaseOid: "L3" },
      200_000,
    );
    expect(decide(later, dark, 260_000, T).state.holding).toBe(false);
  });

  it("that started while the remote was dark claims a lease once it answers", () => {
    const started = leadingUnseen(initialState(0), 0);
    expect(started.role).toBe("leader");
    expect(decide(started, saw(null), 5_000, T).action).toEqual({ kind: "claim", expected: null });
    // Another agent led meanwhile: this one stands by.
    expect(decide(started, saw("X1"), 5_000, T).state.role).toBe("standby");
  });

  it("stands by when the lease on the remote is another's", () => {
    expect(decide(leader(), saw("X1", false), 20_000, T).state.role).toBe("standby");
  });

  it("resumes once a renewal goes through again", () => {
    const holding = { ...leader(), holding: true };
    expect(afterPush(holding, { kind: "won", leaseOid: "L2" }, 70_000).holding).toBe(false);
    expect(afterPush(holding, { kind: "failed" }, 70_000).holding).toBe(true);
  });
});
