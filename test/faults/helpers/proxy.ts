// A byte-level proxy the test can cut: in front of the Docker socket (a unix socket) or a
// `git daemon` (TCP), so the agent loses the engine or the remote while the shared daemon and
// the repository stay untouched. Modes: "pass" forwards, "refuse" closes the listener (the
// client sees ECONNREFUSED / ENOENT), "blackhole" accepts and never answers (a hang).

import { rm } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";

export type ProxyTarget = { path: string } | { host: string; port: number };
export type ProxyMode = "pass" | "refuse" | "blackhole";

export interface CutProxy {
  /** `unix:///…` for a socket path, or `host:port` for TCP. */
  readonly address: string;
  readonly port: number | null;
  /** Changes the mode; live connections are dropped so nothing slips through the old mode. */
  set(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export async function startCutProxy(options: {
  target: ProxyTarget;
  /** A unix socket path to listen on; without it, a free TCP port on 127.0.0.1. */
  listenPath?: string;
}): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let mode: ProxyMode = "pass";
  let server: Server | null = null;
  let port: number | null = null;

  const onConnection = (client: Socket) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (mode === "blackhole") return;
    const upstream = createConnection(options.target);
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = async () => {
    if (options.listenPath) await rm(options.listenPath, { force: true });
    const s = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      if (options.listenPath) s.listen(options.listenPath, resolve);
      else s.listen(port ?? 0, "127.0.0.1", resolve);
    });
    const addr = s.address();
    if (addr && typeof addr === "object") port = addr.port;
    server = s;
  };

  const unlisten = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    address: options.listenPath ? `unix://${options.listenPath}` : `127.0.0.1:${port}`,
    get port() {
      return port;
    },
    async set(next) {
      mode = next;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (next === "refuse") await unlisten();
      else if (!server) await listen();
    },
    close: unlisten,
  };
}
