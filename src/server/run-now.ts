// POST /jobs/:name/run: a manual run, honouring the job's `overlap`, for whoever holds the
// API token. Plus the warning the agent logs when its listener is reachable from elsewhere.

import type { Logger } from "../log.js";
import type { TriggerResult } from "../scheduler/scheduler.js";
import { constantTimeEqual } from "./hooks.js";
import type { Request, Response, Route } from "./http.js";

function bearerToken(req: Request): string | undefined {
  const value = req.headers.authorization;
  const match = value ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value) : null;
  return match?.[1];
}

const unauthorized = (error: string): Response => ({
  status: 401,
  body: { error },
  headers: { "www-authenticate": 'Bearer realm="gitcron"' },
});

export function runNowRoutes(options: {
  token: string;
  /** The scheduler's trigger(name, "manual"). */
  trigger: (name: string) => TriggerResult;
  logger: Logger;
}): Route[] {
  const { token, trigger } = options;
  if (token.length === 0) throw new Error("runNowRoutes needs a non-empty token");
  const logger = options.logger.child({ endpoint: "/jobs/:name/run" });

  const handle = (req: Request): Response => {
    const given = bearerToken(req);
    // Checked before the job name, so that job names cannot be probed without the token.
    if (given === undefined) return unauthorized("send Authorization: Bearer <api token>");
    if (!constantTimeEqual(given, token)) {
      logger.warn("manual run refused: wrong API token");
      return unauthorized("the API token is not valid");
    }
    const job = req.params.name ?? "";
    const result = trigger(job);
    switch (result.status) {
      case "not-found":
        return { status: 404, body: { error: `no job named "${job}"`, job } };
      case "busy":
        return {
          status: 409,
          body: { error: `job "${job}" has overlap: skip and a run is going`, job },
        };
      default:
        logger.info({ job, run: result.runId, action: result.action }, "manual run requested");
        return { status: 202, body: { job, run: result.runId, action: result.action } };
    }
  };

  return [{ method: "POST", pattern: "/jobs/:name/run", handle }];
}

const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(host);

/** Shorter than this, a credential on a reachable port is guessable. */
const MIN_SECRET_LENGTH = 16;

/** A warning to log at start-up when the listener is reachable from other machines and is
 * not protected as it should be; undefined when all is well. */
export function exposureWarning(
  listenHost: string,
  credentials: { webhookSecret?: string | undefined; apiToken?: string | undefined },
): string | undefined {
  if (isLoopback(listenHost)) return undefined;
  const { webhookSecret, apiToken } = credentials;
  if (!webhookSecret && !apiToken) {
    return (
      `listening on ${listenHost} with neither --webhook-secret nor --api-token: ` +
      "anyone who reaches this port reads /jobs and /metrics, and nothing served here needs " +
      "to be reachable from elsewhere; listen on 127.0.0.1 unless a scraper needs it"
    );
  }
  const short = [
    ["--webhook-secret", webhookSecret],
    ["--api-token", apiToken],
  ]
    .filter(([, value]) => value && value.length < MIN_SECRET_LENGTH)
    .map(([flag]) => flag);
  if (short.length === 0) return undefined;
  return (
    `${short.join(" and ")} ${short.length > 1 ? "are" : "is"} shorter than ` +
    `${MIN_SECRET_LENGTH} characters on a listener reachable at ${listenHost}: ` +
    "use a random value such as `openssl rand -hex 32`"
  );
}
