// One peer against everyone else on the agent's HTTP side (issue 25): a peer guessing tokens at
// the status page's form must not lock the owner out (item 11), nor a peer holding slow
// connections take /healthz away (item 9). The attacker is another address on loopback (Linux
// routes all of 127/8 there), everyone else 127.0.0.1.

import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { HTTP_LIMITS } from "../../src/server/http.js";
import { LOGIN_LIMIT } from "../../src/server/login-limit.js";
import { faultHooks, until } from "../faults/helpers/world.js";
import { request } from "../page/http-request.js";

const hooks = faultHooks();
const ATTACKER = "127.0.0.2";

describe("issue 25 item 11: the token form's limit", () => {
  it("a peer guessing tokens is held off; the owner, from another address, still logs in", async () => {
    const token = "owner-token-0123456789abcdef0123456789";
    const w = await hooks.world("sec-login-peer", () => ({ "README.md": "no jobs\n" }));
    const agent = await hooks.agent(w, { flags: { "api-token": token } });
    const base = `http://127.0.0.1:${agent.port}`;
    const login = (guess: string, localAddress?: string) =>
      request(`${base}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
        body: new URLSearchParams({ token: guess, next: "/" }).toString(),
        ...(localAddress && { localAddress }),
      });

    const answers: number[] = [];
    for (let i = 0; i <= LOGIN_LIMIT.failures; i++)
      answers.push((await login(`guess-${i}`, ATTACKER)).status);
    // The limit holds the guesser off: even the right token is not tried from that address.
    expect(answers.at(-1)).toBe(429);
    expect((await login(token, ATTACKER)).status).toBe(429);

    const owner = await login(token);
    expect(owner.status).toBe(303);
    expect(String(owner.headers["set-cookie"])).toMatch(/^gitcron_session=/);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "a peer guessing tokens": 1 });
  });
});

describe("issue 25 item 9: connection slots", () => {
  it("140 slow connections from one peer leave /healthz answering everyone else", async () => {
    const w = await hooks.world("sec-slots-peer", () => ({ "README.md": "no jobs\n" }));
    const agent = await hooks.agent(w);
    const attempts = HTTP_LIMITS.maxConnections + 12;
    // Each sends half a request and waits: the server holds it until its headers timeout.
    const sockets: Socket[] = [];
    const connected = Array.from({ length: attempts }, () => {
      const socket = connect({ port: agent.port, host: "127.0.0.1", localAddress: ATTACKER });
      socket.on("error", () => undefined);
      sockets.push(socket);
      return new Promise<void>((resolve) =>
        socket.once("connect", () => {
          socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
          resolve();
        }),
      );
    });
    try {
      await Promise.all(connected);
      // The payload is live: past what the server keeps, it closes the attacker's connections;
      // once it has, the slots it kept are the attacker's.
      await until("the server closed what it does not keep", () =>
        sockets.filter((s) => s.destroyed).length >= attempts - HTTP_LIMITS.maxConnections
          ? true
          : undefined,
      );
      expect(await agent.get("/healthz")).toBe(200);
      await agent.waitForLog((l) => l.msg.startsWith("a peer holds its share of HTTP connections"));
      expect(sockets.filter((s) => !s.destroyed).length).toBeLessThanOrEqual(
        HTTP_LIMITS.maxPerPeer,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "one peer's slow connections": attempts });
  });
});
