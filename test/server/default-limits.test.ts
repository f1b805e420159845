// The HTTP bounds docs/http.md promises, at their real defaults, on the built agent as a user
// starts it (no limits passed in): headers within 10 s, the request within 30 s, idle keep-alive
// connections closed after 5 s, at most 128 connections and 64 from one peer, 32 open
// /events streams, hook bodies up to 1 MiB. Needs dist/ (npm run build) and the Docker engine.

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentProcess,
  killAgent,
  startAgentProcess,
} from "../faults/helpers/agent-process.js";
import { until } from "../faults/helpers/world.js";

let dir: string;
let agent: AgentProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gitcron-limits-"));
  await mkdir(join(dir, "jobs"));
  agent = await startAgentProcess({
    repo: join(dir, "jobs"),
    dataDir: join(dir, "data"),
    flags: { "webhook-secret": "a-webhook-secret-of-32-characters" },
  });
});
afterAll(async () => {
  await killAgent(agent);
  await rm(dir, { recursive: true, force: true });
});

interface Client {
  socket: Socket;
  /** Milliseconds from `since()` (default: the connection opened) to the server closing it. */
  closed: Promise<number>;
  /** Restarts the clock of `closed`. */
  mark(): void;
}

/** A connection that writes `text` once connected, from `from` (all of 127/8 is loopback). */
function client(text: string, from?: string): Client {
  const socket = connect({
    port: agent.port,
    host: "127.0.0.1",
    ...(from && { localAddress: from }),
  });
  socket.on("error", () => undefined);
  let since = Date.now();
  socket.once("connect", () => {
    since = Date.now();
    socket.write(text);
  });
  return {
    socket,
    closed: new Promise((resolve) => socket.once("close", () => resolve(Date.now() - since))),
    mark: () => {
      since = Date.now();
    },
  };
}

const HALF_HEADERS = "GET /healthz HTTP/1.1\r\nHost: agent\r\n";
/** Headers done, the body never comes: held by the server until the request timeout. */
const BODY_PENDING =
  "POST /hooks/git HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";

describe("the agent's HTTP bounds at their defaults", () => {
  it("closes a client without its headers after 10 s, one without its whole request after 30 s, an idle keep-alive connection after 5 s", async () => {
    const headers = client(HALF_HEADERS);
    const request = client(BODY_PENDING);
    // A whole request, answered; then the connection idles.
    const idle = client("GET /healthz HTTP/1.1\r\nHost: agent\r\n\r\n");
    let answered = "";
    idle.socket.on("data", (d) => {
      answered += String(d);
      if (answered.includes("\r\n\r\n")) idle.mark();
    });
    const [h, r, i] = await Promise.all([headers.closed, request.closed, idle.closed]);
    expect(answered).toMatch(/^HTTP\/1\.1 200 /);
    // Node checks the timeouts once a second: up to a second late, and more on a loaded machine.
    expect(h).toBeGreaterThanOrEqual(9_500);
    expect(h).toBeLessThan(15_000);
    expect(r).toBeGreaterThanOrEqual(29_500);
    expect(r).toBeLessThan(35_000);
    expect(i).toBeGreaterThanOrEqual(4_500);
    expect(i).toBeLessThan(10_000);
    // A client cut off is its own problem: nothing logged at error (where alerting looks).
    expect(agent.logs.filter((l) => l.level >= 50)).toEqual([]);
  }, 60_000);

  it("keeps 64 connections of one peer and 128 in all; beyond, new ones are closed at once, and another peer still gets /healthz", async () => {
    const clients: Client[] = [];
    const open = (from: string, n: number) => {
      const made = Array.from({ length: n }, () => client(BODY_PENDING, from));
      clients.push(...made);
      return made;
    };
    const closedOf = (list: Client[]) => list.filter((c) => c.socket.destroyed).length;
    try {
      const first = open("127.0.0.2", 65);
      const warned = await agent.waitForLog((l) => l.msg.startsWith("a peer holds its share"));
      expect(warned).toMatchObject({ peer: "127.0.0.2", maxPerPeer: 64 });
      await until("the 65th closed", () => (closedOf(first) === 1 ? true : undefined));

      // Another peer is answered (one request, its connection closed after it).
      const health = client("GET /healthz HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n");
      let answer = "";
      health.socket.on("data", (d) => {
        answer += String(d);
      });
      await health.closed;
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);

      const second = open("127.0.0.3", 64);
      // 128 held: every connection of the second peer is accepted and kept …
      const beyond = client(BODY_PENDING, "127.0.0.4");
      // … and the next one, from a third peer, is closed at once.
      expect(await beyond.closed).toBeLessThan(5_000);
      expect(closedOf(first)).toBe(1);
      expect(closedOf(second)).toBe(0);
    } finally {
      for (const c of clients) c.socket.destroy();
    }
  }, 60_000);

  it("serves 32 /events streams at once and answers the 33rd with 503; a hook body over 1 MiB gets 413", async () => {
    // The connections of the test before are gone: the server saw them close.
    await until("no connection held", async () =>
      (await agent.get("/healthz")) === 200 ? true : undefined,
    );
    const streams = new AbortController();
    try {
      const opened = await Promise.all(
        Array.from({ length: 32 }, () =>
          fetch(`http://127.0.0.1:${agent.port}/events`, { signal: streams.signal }),
        ),
      );
      expect(opened.map((r) => r.status)).toEqual(Array(32).fill(200));
      const refused = await fetch(`http://127.0.0.1:${agent.port}/events`);
      expect(refused.status).toBe(503);
      await refused.arrayBuffer();
    } finally {
      streams.abort();
    }
    const big = await fetch(`http://127.0.0.1:${agent.port}/hooks/git`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=00" },
      body: Buffer.alloc(1024 * 1024 + 1, "a"),
    });
    expect(big.status).toBe(413);
  }, 60_000);
});
