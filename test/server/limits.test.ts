// The HTTP server's bounds (SPEC §4, "HTTP"): how many connections it keeps, how long a client
// may take to send its headers, what a taken port says, and that nothing is served before the
// agent behind it exists.

import { connect, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EnvironmentError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import { type HttpServer, startHttpServer } from "../../src/server/http.js";

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(limits: Parameters<typeof startHttpServer>[0]["limits"], routes = true) {
  const server = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger(),
    limits,
    ...(routes && {
      routes: [
        { method: "GET" as const, pattern: "/ok", handle: () => ({ status: 200, body: "ok\n" }) },
      ],
    }),
  });
  servers.push(server);
  return server;
}

/** A connection that sends half a request; resolves when the server closes it. `from`: the
 * address it comes from (another peer on loopback: Linux routes all of 127/8 there). */
function halfRequest(port: number, from?: string): { socket: Socket; closed: Promise<number> } {
  const socket = connect({ port, host: "127.0.0.1", ...(from && { localAddress: from }) });
  socket.on("error", () => undefined);
  const opened = Date.now();
  socket.once("connect", () => socket.write("GET /ok HTTP/1.1\r\nHost: x\r\n"));
  return {
    socket,
    closed: new Promise((resolve) => socket.once("close", () => resolve(Date.now() - opened))),
  };
}

/** Waits until every client is either held by the server or closed by it (some closed), and
 * returns how many the server holds: no fixed wait. */
async function settled(server: HttpServer, clients: { socket: Socket }[]): Promise<number> {
  const held = () => new Promise<number>((r) => server.server.getConnections((_e, n) => r(n)));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const closed = clients.filter((c) => c.socket.destroyed).length;
    const holding = await held();
    if (closed + holding === clients.length && closed > 0) return holding;
    if (Date.now() > deadline) throw new Error(`${closed} closed, ${holding} held: not settled`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("HTTP bounds", () => {
  it("a client that never finishes its headers is cut off after the headers timeout", async () => {
    const server = await serve({ headersTimeoutMs: 500, checkEveryMs: 100 });
    const { closed } = halfRequest(server.address.port);
    const after = await closed;
    expect(after).toBeGreaterThanOrEqual(400);
    expect(after).toBeLessThan(5_000);
  });

  it("beyond the connection cap, new connections are closed at once; the held ones are kept", async () => {
    const server = await serve({ maxConnections: 5, headersTimeoutMs: 20_000 });
    const clients = Array.from({ length: 8 }, () => halfRequest(server.address.port));
    expect(await settled(server, clients)).toBe(5);
    expect(clients.filter((c) => !c.socket.destroyed)).toHaveLength(5);
    for (const c of clients) c.socket.destroy();
    const res = await fetch(`http://127.0.0.1:${server.address.port}/ok`);
    expect(res.status).toBe(200);
  });

  it("one peer holds at most its share of connections; another peer is still answered", async () => {
    const server = await serve({ maxConnections: 6, maxPerPeer: 3, headersTimeoutMs: 20_000 });
    const port = server.address.port;
    const clients = Array.from({ length: 10 }, () => halfRequest(port, "127.0.0.2"));
    expect(await settled(server, clients)).toBe(3);
    const res = await fetch(`http://127.0.0.1:${port}/ok`);
    expect(res.status).toBe(200);
    for (const c of clients) c.socket.destroy();
  });

  it("before its routes are set, every request gets 503 starting", async () => {
    const server = await serve({}, false);
    const res = await fetch(`http://127.0.0.1:${server.address.port}/ok`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("starting\n");
  });

  it("a port that is taken is one sentence naming --listen", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    try {
      const start = startHttpServer({ host: "127.0.0.1", port, logger: silentLogger() });
      await expect(start).rejects.toBeInstanceOf(EnvironmentError);
      await expect(start).rejects.toThrow(
        `--listen 127.0.0.1:${port}: the port is already in use; stop what listens there or choose another port`,
      );
    } finally {
      taken.close();
    }
  });
});
