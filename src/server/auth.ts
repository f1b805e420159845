// Who may see jobs and runs, and who may act on them (SPEC §4, "HTTP"). Health, readiness,
// metrics and signed webhooks are open; everything that shows a job or a run needs the API token
// — except that an agent with no token, listening on loopback only, lets its own host read.

import type { Logger } from "../log.js";
import { constantTimeEqual } from "./hooks.js";
import type { Request, Response } from "./http.js";

export const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(host);

export function bearerToken(req: Pick<Request, "headers">): string | undefined {
  const value = req.headers.authorization;
  const match = value ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value) : null;
  return match?.[1];
}

export const unauthorized = (error: string): Response => ({
  status: 401,
  body: { error },
  headers: { "www-authenticate": 'Bearer realm="gitcron"' },
});

export interface Access {
  /** Null when the request may read jobs and runs; else the answer to send instead. */
  read(req: Request): Response | null;
  /** Null when the request may act (a manual run); else the answer to send instead. */
  act(req: Request): Response | null;
}

export function accessFor(options: {
  token: string | undefined;
  listenHost: string;
  logger: Logger;
}): Access {
  const { token, logger } = options;
  const checkToken = (req: Request): Response | null => {
    const given = bearerToken(req);
    if (given === undefined) return unauthorized("send Authorization: Bearer <api token>");
    if (!token || !constantTimeEqual(given, token)) {
      logger.warn({ path: req.path }, "request refused: wrong API token");
      return unauthorized("the API token is not valid");
    }
    return null;
  };
  const openOnLoopback = !token && isLoopback(options.listenHost);
  return {
    read(req) {
      if (openOnLoopback) return null;
      if (!token) {
        return {
          status: 403,
          body: {
            error:
              "jobs and runs are shown only with --api-token when the agent listens beyond loopback",
          },
        };
      }
      return checkToken(req);
    },
    act: checkToken,
  };
}
