// Whether another agent with our id is alive, over markers kept in memory and a clock the test
// moves: the engine's side is in docker.test.ts and swarm.test.ts.

import { afterEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/log.js";
import {
  announce,
  INSTANCE_LABEL,
  lockNeeded,
  type Marker,
  type MarkerStore,
} from "../../src/runtime/presence.js";

/** Markers in memory, stamped with the test's clock as the engine would stamp them. */
function memoryStore(clock: { now: number }) {
  const markers = new Map<string, Marker>();
  const log: string[] = [];
  let failing = false;
  const store: MarkerStore = {
    async create(name, labels) {
      if (failing) throw new Error("engine away");
      log.push(`create ${name}`);
      markers.set(name, { name, instance: labels[INSTANCE_LABEL] ?? "", createdAt: clock.now });
    },
    async list() {
      if (failing) throw new Error("engine away");
      return [...markers.values()];
    },
    async remove(name) {
      log.push(`remove ${name}`);
      markers.delete(name);
    },
  };
  return {
    store,
    markers,
    log,
    fail: () => {
      failing = true;
    },
    /** Another agent's marker, made `ageMs` ago. */
    other: (instance: string, ageMs = 0) =>
      markers.set(`other-${instance}`, {
        name: `other-${instance}`,
        instance,
        createdAt: clock.now - ageMs,
      }),
  };
}

const setup = () => {
  const clock = { now: Date.parse("2026-12-02T12:00:00Z") };
  const memory = memoryStore(clock);
  const start = () =>
    announce(memory.store, {
      agent: "abc",
      logger: silentLogger(),
      renewMs: 30_000,
      refreshMs: 2_000,
      now: () => clock.now,
    });
  return { clock, memory, start };
};

afterEach(() => {
  vi.useRealTimers();
});

describe("presence", () => {
  it("alone: runs take no lock and need not wait", async () => {
    const { start } = setup();
    const presence = await start();
    expect(await presence.shared()).toBe(false);
    await presence.withdraw();
  });

  it("another agent alive at the start: the lock at once", async () => {
    const { memory, start } = setup();
    memory.other("b1", 10_000);
    const presence = await start();
    expect(await presence.shared()).toBe(true);
    await presence.withdraw();
  });

  it("a marker not renewed within three renewals is a crashed agent's", async () => {
    const { memory, start } = setup();
    memory.other("b1", 90_000);
    const presence = await start();
    expect(await presence.shared()).toBe(false);
    await presence.withdraw();
  });

  it("an agent that starts later is seen at the next look, no sooner than refreshMs", async () => {
    const { clock, memory, start } = setup();
    const presence = await start();
    expect(await presence.shared()).toBe(false);
    memory.other("b1");
    clock.now += 1_999;
    expect(await presence.shared()).toBe(false);
    clock.now += 1;
    expect(await presence.shared()).toBe(true);
    // And gone again once it withdrew.
    memory.markers.delete("other-b1");
    clock.now += 2_000;
    expect(await presence.shared()).toBe(false);
    await presence.withdraw();
  });

  it("when the engine cannot say, every run takes the lock", async () => {
    const { memory, start } = setup();
    memory.fail();
    const presence = await start();
    expect(await presence.shared()).toBe(true);
    expect(await lockNeeded(undefined)).toBe(true);
    const later = setup();
    const alone = await later.start();
    later.memory.fail();
    later.clock.now += 2_000;
    expect(await alone.shared()).toBe(true);
    await alone.withdraw();
  });

  it("renews by making the next marker before removing the last, and withdraws it", async () => {
    vi.useFakeTimers();
    const { memory, start } = setup();
    const presence = await start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(memory.log).toEqual([
      expect.stringMatching(/^create gitcron-agent-abc-[0-9a-f]{8}-0$/),
      expect.stringMatching(/^create gitcron-agent-abc-[0-9a-f]{8}-1$/),
      expect.stringMatching(/^remove gitcron-agent-abc-[0-9a-f]{8}-0$/),
    ]);
    await presence.withdraw();
    expect(memory.markers.size).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(memory.markers.size).toBe(0);
  });
});
