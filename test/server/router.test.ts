import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { type HttpServer, startHttpServer } from "../../src/server/http.js";

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve() {
  server = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger(),
    routes: [
      {
        method: "POST",
        pattern: "/jobs/:name/run",
        handle: (req) => ({ status: 202, body: { job: req.params.name } }),
      },
      {
        method: "POST",
        pattern: "/echo",
        maxBody: 8,
        handle: (req) => ({ status: 200, body: req.body.toString() }),
      },
    ],
  });
  return `http://127.0.0.1:${server.address.port}`;
}

describe("the agent's router", () => {
  it("decodes path parameters", async () => {
    const url = await serve();
    const res = await fetch(`${url}/jobs/nightly%2Dreport/run`, { method: "POST" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ job: "nightly-report" });
  });

  it("answers 404 to a malformed escape instead of crashing, and keeps serving", async () => {
    const url = await serve();
    expect((await fetch(`${url}/jobs/%E0/run`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${url}/jobs/ok/run`, { method: "POST" })).status).toBe(202);
  });

  it("answers 405 to a known path with another method, 404 to an unknown path, 413 to a big body", async () => {
    const url = await serve();
    expect((await fetch(`${url}/jobs/a/run`)).status).toBe(405);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/echo`, { method: "POST", body: "0123456789" })).status).toBe(413);
    const ok = await fetch(`${url}/echo`, { method: "POST", body: "0123" });
    expect(await ok.text()).toBe("0123");
  });
});
