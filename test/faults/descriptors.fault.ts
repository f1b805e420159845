// File descriptors: the agent under a low `ulimit -n`, and more idle connections with a partial
// request header (no credentials needed), from several peers, than it has descriptors. The agent lives, keeps
// running and recording jobs, and /healthz answers once the connections close (SPEC §4, "HTTP").

import { readdir, readFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const MAX_FILES = 256;
const SLOW_CONNECTIONS = 400;

/** Loopback addresses the connections come from: more peers than one, so that the agent's
 * limit per peer (64) does not cap them before its limit in all (128) does. */
const PEERS = 8;

/** Opens a connection that sends the start of a request and then nothing. */
function slowClient(port: number, n: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1", localAddress: `127.0.0.${2 + (n % PEERS)}` });
    socket.on("error", () => undefined);
    socket.once("connect", () => {
      socket.write("GET /healthz HTTP/1.1\r\nHost: agent\r\nX-Slow: ");
      resolve(socket);
    });
    // A connection the agent refused outright counts too.
    socket.once("close", () => resolve(socket));
  });
}

describe("file descriptors", () => {
  it(`${SLOW_CONNECTIONS} slow connections against ulimit -n ${MAX_FILES}: the agent lives and keeps running jobs`, async () => {
    const w = await hooks.world("descriptors", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    const agent = await hooks.agent(w, { maxFiles: MAX_FILES });
    await until("a first record", async () =>
      (await w.runsOf(job)).length > 0 ? true : undefined,
    );

    const sockets = await Promise.all(
      Array.from({ length: SLOW_CONNECTIONS }, (_, n) => slowClient(agent.port, n)),
    );
    const open = () => sockets.filter((s) => !s.destroyed).length;
    // The fault is in place: the agent runs under the low limit, has closed what is over its
    // 128 connections, and holds the rest as descriptors of its own, near its limit.
    const held = await until("the agent closed what is over its limit", () =>
      open() <= 128 ? open() : undefined,
    );
    expect(held, "slow connections the agent holds").toBeGreaterThanOrEqual(100);
    const limits = await readFile(`/proc/${agent.pid}/limits`, "utf8");
    expect(limits).toMatch(new RegExp(`^Max open files +${MAX_FILES} +${MAX_FILES} `, "m"));
    const descriptors = (await readdir(`/proc/${agent.pid}/fd`)).length;
    expect(descriptors).toBeGreaterThan(held);
    const before = (await w.runsOf(job)).length;
    // While they hang on: runs go on starting (engine sockets) and reaching the branch (git).
    await until(
      "three more runs recorded while the connections are held",
      async () => ((await w.runsOf(job)).length >= before + 3 ? true : undefined),
      30_000,
    );
    const stillHeld = open();
    expect(stillHeld, "slow connections still held once the runs were recorded").toBeGreaterThan(0);
    for (const s of sockets) s.destroy();
    await until("/healthz answering", async () =>
      (await agent.get("/healthz")) === 200 ? true : undefined,
    );
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    expect(agent.logs.filter((l) => l.level >= 50)).toEqual([]);
    await w.finish(
      { "slow connections": SLOW_CONNECTIONS },
      { held, descriptors, stillHeldAfterRuns: stillHeld },
    );
  });
});
