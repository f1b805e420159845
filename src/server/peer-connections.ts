// Connection slots per peer (SPEC §4, "HTTP"): the server keeps MAX_CONNECTIONS at most, and
// one peer holding them all (slow requests it never finishes) would take /healthz away from
// the engine's health check and the page from everyone. Each peer (an IPv4 address, an IPv6
// /64) holds at most its share; a connection beyond it is closed at once. The count lives as
// long as the connections do, so it never holds more entries than there are connections.

import type { Server } from "node:http";
import { peerKey } from "./peer.js";

export function limitConnectionsPerPeer(
  server: Server,
  maxPerPeer: number,
  onRefused: (peer: string) => void,
): void {
  const held = new Map<string, number>();
  server.on("connection", (socket) => {
    const peer = peerKey(socket.remoteAddress);
    const count = held.get(peer) ?? 0;
    if (count >= maxPerPeer) {
      socket.destroy();
      onRefused(peer);
      return;
    }
    held.set(peer, count + 1);
    socket.once("close", () => {
      const left = (held.get(peer) ?? 1) - 1;
      if (left > 0) held.set(peer, left);
      else held.delete(peer);
    });
  });
}
