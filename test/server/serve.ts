// The agent's real HTTP server on a free loopback port with the routes under test.

import { afterEach } from "vitest";
import type { Logger } from "../../src/log.js";
import { silentLogger } from "../../src/log.js";
import type { Redactor } from "../../src/secrets/redactor.js";
import { type HTTP_LIMITS, type Route, startHttpServer } from "../../src/server/http.js";

/** Call once per test file: every server started through it is closed after each test. */
export function httpServers() {
  const open: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((close) => close()));
  });
  return {
    /** Returns the base URL, such as http://127.0.0.1:41234. */
    async serve(
      routes: readonly Route[],
      logger: Logger = silentLogger(),
      options: { redactor?: Redactor; limits?: Partial<typeof HTTP_LIMITS> } = {},
    ): Promise<string> {
      const server = await startHttpServer({
        host: "127.0.0.1",
        port: 0,
        routes,
        logger,
        ...(options.redactor && { redactor: options.redactor }),
        ...(options.limits && { limits: options.limits }),
      });
      open.push(() => server.close());
      return `http://127.0.0.1:${server.address.port}`;
    },
  };
}
