// GET /jobs and GET /jobs/<name>: each job's applied spec, source file and revision, next run,
// running run and last summary (and one job's run history) — for whoever may read (SPEC §4).
// A browser that prefers text/html gets the status page instead (SPEC §8).

import type { JobView } from "../scheduler/scheduler.js";
import type { RunSummary } from "../status/summary.js";
import type { Access } from "./auth.js";
import type { Request, Response, Route } from "./http.js";
import { prefersHtml } from "./negotiate.js";
import type { PageHandlers } from "./page.js";

const jobJson = (j: JobView, more: Record<string, unknown> = {}) => ({
  name: j.spec.name,
  file: j.spec.file,
  revision: j.revision,
  schedule: j.spec.schedule,
  timezone: j.spec.timezone,
  nextRunAt: j.nextRunAt?.toISOString() ?? null,
  running: j.running && {
    run: j.running.runId,
    phase: j.running.phase,
    scheduledAt: j.running.scheduledAt.toISOString(),
    startedAt: j.running.startedAt?.toISOString() ?? null,
  },
  queued: j.queued && {
    scheduledAt: j.queued.scheduledAt.toISOString(),
    merged: j.queued.merged,
  },
  last: j.last,
  pausedUntil: j.pausedUntil?.toISOString() ?? null,
  spec: j.spec,
  ...more,
});

export function jobsRoutes(
  view: () => JobView[],
  access: Access,
  options: {
    /** The job's run history (the status branch and the outbox), oldest first. */
    runsOf?: (job: string) => Promise<RunSummary[]>;
    /** The status page, for requests that prefer text/html. */
    page?: PageHandlers;
    /** What the agent knows of a job beyond the scheduler (a missing variable, a held revision). */
    problemsOf?: (job: string) => Record<string, unknown>;
  } = {},
): Route[] {
  const { page } = options;
  const list = (req: Request): Response | Promise<Response> => {
    if (page && prefersHtml(req)) return page.index(req);
    return (
      access.read(req) ?? {
        status: 200,
        body: view()
          .sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1))
          .map((j) => jobJson(j, options.problemsOf?.(j.spec.name))),
      }
    );
  };
  const one = async (req: Request): Promise<Response> => {
    if (page && prefersHtml(req)) return page.job(req);
    const refused = access.read(req);
    if (refused) return refused;
    const name = req.params.name ?? "";
    const found = view().find((j) => j.spec.name === name);
    if (!found) return { status: 404, body: { error: `no job named "${name}"`, job: name } };
    return {
      status: 200,
      body: {
        ...jobJson(found, options.problemsOf?.(name)),
        runs: (await options.runsOf?.(name)) ?? [],
      },
    };
  };
  return [
    { method: "GET", pattern: "/jobs", handle: list },
    { method: "GET", pattern: "/jobs/:name", handle: one },
  ];
}
