// POST /jobs/:name/run: a manual run, honouring the job's `overlap`, for whoever holds the
// API token. Plus the warning the agent logs when its listener is reachable from elsewhere.

import type { Logger } from "../log.js";
import { messagePage } from "../page/render.js";
import type { TriggerResult } from "../scheduler/scheduler.js";
import { type Access, isLoopback } from "./auth.js";
import type { Request, Response, Route } from "./http.js";
import { prefersHtml } from "./negotiate.js";
import { refusalPage } from "./page.js";

export function runNowRoutes(options: {
  access: Access;
  /** The scheduler's trigger(name, "manual"). */
  trigger: (name: string) => TriggerResult;
  logger: Logger;
}): Route[] {
  const { access, trigger } = options;
  const logger = options.logger.child({ endpoint: "/jobs/:name/run" });

  const handle = (req: Request): Response => {
    // Checked before the job name, so that job names cannot be probed without the token.
    const refused = access.act(req);
    const browser = prefersHtml(req);
    if (refused) return browser ? refusalPage(refused, req) : refused;
    const job = req.params.name ?? "";
    const result = trigger(job);
    // The status page's "Run now" form: back to the job's page, which shows the run.
    if (browser && result.status === "accepted")
      return {
        status: 303,
        body: "run requested\n",
        headers: { location: `/jobs/${encodeURIComponent(job)}` },
      };
    if (browser && result.status !== "accepted") {
      const [status, why] = {
        busy: [409, "A run is going and the job has overlap: skip."] as const,
        standby: [
          503,
          "This agent stands by; the repository's leading agent runs its jobs.",
        ] as const,
        "not-found": [404, "No job has that name."] as const,
      }[result.status];
      return { status, body: messagePage("Not started", why) };
    }
    switch (result.status) {
      case "not-found":
        return { status: 404, body: { error: `no job named "${job}"`, job } };
      case "busy":
        return {
          status: 409,
          body: { error: `job "${job}" has overlap: skip and a run is going`, job },
        };
      case "standby":
        return {
          status: 503,
          body: { error: "this agent stands by: ask the leading agent of the repository", job },
        };
      default:
        logger.info({ job, run: result.runId, action: result.action }, "manual run requested");
        return { status: 202, body: { job, run: result.runId, action: result.action } };
    }
  };

  return [{ method: "POST", pattern: "/jobs/:name/run", handle }];
}

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
      "anyone who reaches this port reads /metrics (jobs and runs stay closed without a token), " +
      "and nothing else served here needs to be reachable from elsewhere; listen on 127.0.0.1 " +
      "unless a scraper needs it"
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
