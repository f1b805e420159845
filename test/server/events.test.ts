// GET /events: what open status pages are told, and what the agent keeps for them: changes
// grouped, too many turned into a reload, every write redacted, at most so many streams, a
// stream that outlives the request timeout, and nothing kept for a client that left.

import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createRedactor } from "../../src/secrets/redactor.js";
import { accessFor } from "../../src/server/auth.js";
import { type EVENT_LIMITS, eventRoutes } from "../../src/server/events.js";
import { eventually } from "../helpers/docker.js";
import { fakeSource, row } from "../page/fixtures.js";
import { httpServers } from "./serve.js";

const TOKEN = "events-token-0123456789abcdef";
const SECRET = "hunter2-secret-value";
const { serve } = httpServers();
const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close().catch(() => {});
});

async function setup(limits: Partial<typeof EVENT_LIMITS> = {}, http = {}) {
  const fake = fakeSource([row("a"), row("b"), row("c"), row(`leaks-${SECRET}`)]);
  const access = accessFor({ token: TOKEN, listenHost: "127.0.0.1", logger: silentLogger() });
  const events = eventRoutes({
    source: fake.source,
    access,
    logger: silentLogger(),
    limits: { groupMs: 50, ...limits },
  });
  const url = await serve(events.routes, silentLogger(), {
    redactor: createRedactor([SECRET, TOKEN]),
    limits: http,
  });
  return { fake, events, url };
}

interface Message {
  event: string;
  data: unknown;
  raw: string;
}

async function subscribe(url: string, path = "/events") {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const close = () => reader.cancel();
  open.push(close);
  const next = async (ms = 3_000): Promise<Message> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) return { event, data: JSON.parse(data), raw: block };
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no event in time");
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("no event in time")), left),
        ),
      ]);
      if (chunk.done) throw new Error("stream ended");
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return { res, next, close };
}

type Rows = { rows: { name: string; html: string }[] };

describe("GET /events", () => {
  it("needs the same access as the page", async () => {
    const { url } = await setup();
    expect((await fetch(`${url}/events`)).status).toBe(401);
  });

  it("sends the changes of one group as one message of rendered rows", async () => {
    const { fake, url } = await setup();
    const stream = await subscribe(url);
    expect(stream.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await eventually(async () => (fake.listeners > 0 ? true : undefined));
    fake.change({ jobs: ["a"] });
    fake.change({ jobs: ["b", "a"] });
    const message = await stream.next();
    expect(message.event).toBe("rows");
    const { rows } = message.data as Rows;
    expect(rows.map((r) => r.name).sort()).toEqual(["a", "b"]);
    expect(rows[0]?.html).toMatch(/^<tr data-job="[ab]"/);
  });

  it("redacts what it writes, and leaves the markup whole", async () => {
    const { fake, url } = await setup();
    const stream = await subscribe(url);
    await eventually(async () => (fake.listeners > 0 ? true : undefined));
    fake.change({ jobs: [`leaks-${SECRET}`] });
    const message = await stream.next();
    expect(message.raw).not.toContain(SECRET);
    const [only] = (message.data as Rows).rows;
    expect(only?.name).toBe("leaks-***");
    expect(only?.html).toContain('<tr data-job="leaks-***"');
  });

  it("tells pages to reload when a group is too large, or jobs came or went", async () => {
    const { fake, url } = await setup({ reloadAbove: 2 });
    const stream = await subscribe(url);
    await eventually(async () => (fake.listeners > 0 ? true : undefined));
    fake.change({ jobs: ["a", "b", "c"] });
    expect((await stream.next()).event).toBe("reload");
    fake.change({ jobs: ["a", "b"] });
    expect((await stream.next()).event).toBe("rows");
    fake.change({ reload: true });
    expect((await stream.next()).event).toBe("reload");
  });

  it("sends a job's page only that job's rows", async () => {
    const { fake, url } = await setup();
    const stream = await subscribe(url, "/events?job=b");
    await eventually(async () => (fake.listeners > 0 ? true : undefined));
    fake.change({ jobs: ["a"] });
    fake.change({ jobs: ["b"] });
    const message = await stream.next();
    expect((message.data as Rows).rows.map((r) => r.name)).toEqual(["b"]);
  });

  it("refuses a stream beyond the cap with 503, and forgets a client that left", async () => {
    const { fake, events, url } = await setup({ maxStreams: 2 });
    const first = await subscribe(url);
    await subscribe(url);
    await eventually(async () => (events.open === 2 ? true : undefined));
    const third = await fetch(`${url}/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(third.status).toBe(503);
    await first.close();
    await eventually(async () => (events.open === 1 ? true : undefined));
    expect((await subscribe(url)).res.status).toBe(200);
    for (const close of open.splice(0)) await close();
    await eventually(async () => (events.open === 0 && fake.listeners === 0 ? true : undefined));
  });

  it("outlives the server's request timeout", async () => {
    const { fake, url } = await setup(
      {},
      { requestTimeoutMs: 300, headersTimeoutMs: 300, checkEveryMs: 100 },
    );
    const stream = await subscribe(url);
    await new Promise((r) => setTimeout(r, 1_000));
    fake.change({ jobs: ["c"] });
    expect((await stream.next()).event).toBe("rows");
  });
});
