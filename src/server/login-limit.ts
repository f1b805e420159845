// The token form's limit on wrong tokens (SPEC §4), counted per peer: one address guessing
// never locks the owner out, as a limit shared by everyone would. Guessing stays slow for each
// peer, and the memory stays bounded however many addresses guess: at most `peers` are
// tracked, each with at most `failures` instants, and the one that failed least recently goes
// first. Bearer tokens (the CLI, scripts) never pass through the form.
//
// The peer is the connection's address, never X-Forwarded-For, which any client can write.
// Behind a reverse proxy every client is the proxy; limit logins there.

import { isIPv6 } from "node:net";

export const LOGIN_LIMIT = { failures: 10, windowMs: 60_000, peers: 10_000 };

export interface LoginLimit {
  /** Seconds `peer` must wait before the form takes its next token, or 0. */
  waitSeconds(peer: string, at: number): number;
  /** Records a wrong token from `peer`. */
  failed(peer: string, at: number): void;
  /** Peers tracked now. */
  readonly size: number;
}

export function createLoginLimit(limits: typeof LOGIN_LIMIT = LOGIN_LIMIT): LoginLimit {
  // Insertion order is the order of each peer's last failure: the first key failed longest ago.
  const failures = new Map<string, number[]>();
  const inWindow = (at: number) => (t: number) => t > at - limits.windowMs;
  const forgetExpired = (at: number) => {
    for (const [peer, times] of failures) {
      if (times.some(inWindow(at))) break;
      failures.delete(peer);
    }
  };
  return {
    waitSeconds(peer, at) {
      const recent = (failures.get(peer) ?? []).filter(inWindow(at));
      if (recent.length < limits.failures) return 0;
      return Math.ceil(((recent[0] as number) + limits.windowMs - at) / 1000);
    },
    failed(peer, at) {
      forgetExpired(at);
      const times = [...(failures.get(peer) ?? []).filter(inWindow(at)), at];
      failures.delete(peer);
      failures.set(peer, times.slice(-limits.failures));
      while (failures.size > limits.peers) failures.delete(failures.keys().next().value as string);
    },
    get size() {
      return failures.size;
    },
  };
}

/** Who a connection counts as: its IPv4 address, or its IPv6 network (/64), since whoever
 * holds one IPv6 address holds the 2^64 of its network. */
export function peerKey(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  const bare = address.split("%")[0] as string;
  if (!isIPv6(bare)) return bare;
  const [head = "", tail] = bare.toLowerCase().split("::");
  const words = (part: string | undefined) => (part ? part.split(":") : []);
  const given = [...words(head), ...words(tail)];
  const groups =
    tail === undefined
      ? given
      : [...words(head), ...Array(8 - given.length).fill("0"), ...words(tail)];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
