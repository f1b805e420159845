// GET /jobs: each job's applied spec, source file and revision, next run, running run and
// last summary — for whoever may read (SPEC §4).

import type { JobView } from "../scheduler/scheduler.js";
import type { Access } from "./auth.js";
import type { Route } from "./http.js";

export function jobsRoutes(view: () => JobView[], access: Access): Route[] {
  return [
    {
      method: "GET",
      pattern: "/jobs",
      handle: (req) =>
        access.read(req) ?? {
          status: 200,
          body: view()
            .sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1))
            .map((j) => ({
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
              spec: j.spec,
            })),
        },
    },
  ];
}
