// The token form's limit on wrong tokens (SPEC §4), counted per peer: one address guessing
// never locks the owner out, as a limit shared by everyone would. Guessing stays slow for each
// peer, and the memory stays bounded however many addresses guess: at most `peers` are
// tracked, each with at most `failures` instants, and the one that failed least recently goes
// first. Bearer tokens (the CLI, scripts) never pass through the form.
//
// The peer is the connection's address, never X-Forwarded-For, which any client can write.
// Behind a reverse proxy every client is the proxy; limit logins there.

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
