// Who may read jobs and runs over HTTP (SPEC §4): with a token, only its bearer; with none, only
// a loopback listener's own host; never anyone over the network without one.

import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { accessFor } from "../../src/server/auth.js";
import { jobsRoutes } from "../../src/server/jobs.js";
import { httpServers } from "./serve.js";

const TOKEN = "read-token-0123456789abcdef";
const { serve } = httpServers();

async function jobsServer(token: string | undefined, listenHost: string) {
  const access = accessFor({ token, listenHost, logger: silentLogger() });
  const url = await serve(jobsRoutes(() => [], access));
  return (authorization?: string) =>
    fetch(`${url}/jobs`, { headers: authorization ? { authorization } : {} });
}

describe("GET /jobs", () => {
  it("with no --api-token, is open on a loopback listener", async () => {
    const get = await jobsServer(undefined, "127.0.0.1");
    expect((await get()).status).toBe(200);
  });

  it.each(["0.0.0.0", "10.0.0.5", "::"])(
    "with no --api-token on %s, is closed and says which flag opens it",
    async (host) => {
      const get = await jobsServer(undefined, host);
      const res = await get();
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/--api-token/);
    },
  );

  it.each(["127.0.0.1", "0.0.0.0"])(
    "with --api-token (listening on %s), needs the bearer token, and only the right one",
    async (host) => {
      const get = await jobsServer(TOKEN, host);
      expect((await get()).status).toBe(401);
      expect((await get("Bearer wrong-token")).status).toBe(401);
      expect((await get(`Bearer ${TOKEN}`)).status).toBe(200);
    },
  );
});
