// POST /jobs/:name/pause?for=2h and POST /jobs/:name/resume: the emergency switch without a
// commit (`gitcron pause`), for whoever may act (SPEC §4). A paused job starts no scheduled run
// until the pause ends; a manual run still starts, and a running run goes on (`stop` ends it).

import type { Logger } from "../log.js";
import type { Pauses } from "../scheduler/pauses.js";
import { MAX_PAUSE_MS } from "../scheduler/pauses.js";
import { parseDuration } from "../text/duration.js";
import type { Access } from "./auth.js";
import type { Route } from "./http.js";
import { jobActionRoute, noJob } from "./run-now.js";

export function pauseRoutes(options: {
  access: Access;
  pauses: Pauses;
  hasJob: (job: string) => boolean;
  logger: Logger;
}): Route[] {
  const { access, pauses, hasJob } = options;
  const logger = options.logger.child({ endpoint: "/jobs/:name/pause" });
  return [
    jobActionRoute(
      access,
      "pause",
      async (job, req) => {
        if (!hasJob(job)) return noJob(job);
        // The page's form sends it in the body, the CLI and curl in the query.
        const given =
          req.query.get("for") ?? new URLSearchParams(req.body.toString("utf8")).get("for");
        let ms: number;
        try {
          ms = parseDuration(given ?? "");
        } catch {
          return {
            status: 400,
            body: { error: "give how long with for=: a duration such as 30m, 2h or 1d", job },
          };
        }
        if (ms <= 0 || ms > MAX_PAUSE_MS)
          return {
            status: 400,
            body: {
              error: `a pause lasts from 1s to ${MAX_PAUSE_MS / 86_400_000}d; for longer, set suspended: true in the job's file`,
              job,
            },
          };
        const until = pauses.pause(job, ms);
        await pauses.flush();
        logger.info({ job, until }, "job paused over HTTP");
        return { status: 200, body: { job, pausedUntil: until.toISOString() } };
      },
      { maxBody: 1024 },
    ),
    jobActionRoute(access, "resume", async (job) => {
      if (!hasJob(job)) return noJob(job);
      if (!pauses.resume(job))
        return { status: 409, body: { error: `job "${job}" is not paused`, job } };
      await pauses.flush();
      return { status: 200, body: { job, pausedUntil: null } };
    }),
  ];
}
