// The token form's limit on wrong tokens, per peer (SPEC §4): one address guessing never locks
// another out, and the memory it takes stays bounded however many addresses guess.

import { describe, expect, it } from "vitest";
import { createLoginLimit } from "../../src/server/login-limit.js";
import { peerKey } from "../../src/server/peer.js";

const limits = { failures: 3, windowMs: 60_000, peers: 4 };

describe("the login limit", () => {
  it("a peer with its failures used up waits for the oldest to leave the window", () => {
    const limit = createLoginLimit(limits);
    for (const at of [0, 10_000, 20_000]) {
      expect(limit.waitSeconds("10.0.0.1", at)).toBe(0);
      limit.failed("10.0.0.1", at);
    }
    expect(limit.waitSeconds("10.0.0.1", 30_000)).toBe(30);
    expect(limit.waitSeconds("10.0.0.2", 30_000)).toBe(0);
    expect(limit.waitSeconds("10.0.0.1", 60_000)).toBe(0);
  });

  it("tracks at most `peers` addresses: the one that failed least recently goes first", () => {
    const limit = createLoginLimit(limits);
    for (let i = 0; i < 3; i++) limit.failed("10.0.0.1", i);
    // Many other addresses fail once each; the map never holds more than four.
    for (let i = 2; i < 1_000; i++) limit.failed(`10.0.${i >> 8}.${i & 255}`, 5);
    expect(limit.size).toBe(4);
    // A peer that keeps failing stays tracked: its last failure is the newest.
    const busy = createLoginLimit(limits);
    for (let i = 0; i < 3; i++) busy.failed("10.0.0.1", i);
    for (let i = 2; i < 6; i++) {
      busy.failed(`10.0.1.${i}`, 10);
      busy.failed("10.0.0.1", 10);
    }
    expect(busy.waitSeconds("10.0.0.1", 20)).toBeGreaterThan(0);
  });

  it("forgets peers whose failures all left the window", () => {
    const limit = createLoginLimit(limits);
    limit.failed("10.0.0.1", 0);
    limit.failed("10.0.0.2", 1_000);
    limit.failed("10.0.0.3", 70_000);
    expect(limit.size).toBe(1);
  });
});

describe("peerKey", () => {
  it.each([
    ["192.0.2.7", "192.0.2.7"],
    ["::ffff:192.0.2.7", "192.0.2.7"],
    // One IPv6 network (/64) is one peer: its holder has 2^64 addresses.
    ["2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:bbbb:cccc:dddd:eeee", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    [undefined, "unknown"],
  ])("%s → %s", (address, key) => {
    expect(peerKey(address)).toBe(key);
  });
});
