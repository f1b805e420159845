// POST /jobs/:name/run and /stop: a manual run, honouring the job's `overlap`, and stopping a
// running run, for whoever may act (SPEC §4). Plus the warning the agent logs when its listener is reachable from elsewhere.

import type { Logger } from "../log.js";
import { messagePage } from "../page/render.js";
import type { StopResult, TriggerResult } from "../scheduler/scheduler.js";
import { type Access, isLoopback } from "./auth.js";
import type { Request, Response, Route } from "./http.js";
import { prefersHtml } from "./negotiate.js";
import { refusalPage } from "./page.js";

/** What an action on a job answers a program (JSON); a browser's form is sent back to the job's
 * page when it worked (2xx), or shown a page with `error` otherwise. */
export interface ActionAnswer {
  status: number;
  body: { job: string; error?: string } & Record<string, unknown>;
}

/** POST /jobs/:name/<action>: who may act is checked before the job name, so that job names
 * cannot be probed without the token; the page's forms get a page back, never JSON. */
export function jobActionRoute(
  access: Access,
  action: string,
  act: (job: string, req: Request) => ActionAnswer | Promise<ActionAnswer>,
  options: { maxBody?: number } = {},
): Route {
  return {
    method: "POST",
    pattern: `/jobs/:name/${action}`,
    ...(options.maxBody && { maxBody: options.maxBody }),
    async handle(req): Promise<Response> {
      const refused = access.act(req);
      const browser = prefersHtml(req);
      if (refused) return browser ? refusalPage(refused, req) : refused;
      const answer = await act(req.params.name ?? "", req);
      if (!browser) return answer;
      if (answer.status < 300)
        return {
          status: 303,
          body: `${action} requested\n`,
          headers: { location: `/jobs/${encodeURIComponent(answer.body.job)}` },
        };
      return {
        status: answer.status,
        body: messagePage("Not done", `${answer.body.error ?? "refused"}.`),
      };
    },
  };
}

export const standby = (job: string): ActionAnswer => ({
  status: 503,
  body: { error: "this agent stands by: ask the leading agent of the repository", job },
});
export const noJob = (job: string): ActionAnswer => ({
  status: 404,
  body: { error: `no job named "${job}"`, job },
});

export function runNowRoutes(options: {
  access: Access;
  /** The scheduler's trigger(name, "manual"). */
  trigger: (name: string) => TriggerResult;
  /** The scheduler's stopRun(name, why). */
  stop?: (name: string, why: string) => StopResult;
  logger: Logger;
}): Route[] {
  const { access, trigger, stop } = options;
  const logger = options.logger.child({ endpoint: "/jobs/:name/run" });
  const run = jobActionRoute(access, "run", (job) => {
    const result = trigger(job);
    switch (result.status) {
      case "not-found":
        return noJob(job);
      case "busy":
        return {
          status: 409,
          body: { error: `job "${job}" has overlap: skip and a run is going`, job },
        };
      case "standby":
        return standby(job);
      default:
        logger.info({ job, run: result.runId, action: result.action }, "manual run requested");
        return { status: 202, body: { job, run: result.runId, action: result.action } };
    }
  });
  if (!stop) return [run];
  const stopRoute = jobActionRoute(access, "stop", (job, req) => {
    const why = prefersHtml(req) ? "from the status page" : "over the HTTP API";
    const result = stop(job, why);
    switch (result.status) {
      case "not-found":
        return noJob(job);
      case "not-running":
        return { status: 409, body: { error: `no run of job "${job}" is going`, job } };
      case "standby":
        return standby(job);
      default:
        logger.info({ job, run: result.runId, why }, "run stop requested");
        return { status: 202, body: { job, run: result.runId, action: "stopping" } };
    }
  });
  return [run, stopRoute];
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
