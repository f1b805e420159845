// What the agent will do with a revision, worked out the way the agent does it: the active set
// recorded in state.json is the last good spec of each file, every file of the revision is
// judged by DesiredJobs' rules (an invalid file keeps its job, a file taking an active job's
// name is rejected, a missing file removes its job), and the result is planned against the
// active set. `gitcron plan` and the Action's summary both print this.

import { type JobFileContent, parseJobContent } from "../jobs/job-file.js";
import type { ParseOptions } from "../jobs/parse.js";
import { createScheduleChecks } from "../jobs/schedule-checks.js";
import { DesiredJobs, type Rejection } from "./desired.js";
import { type ActiveJob, type PlanEntry, type PlannedJob, plan, plannedJobOf } from "./plan.js";

export interface RevisionPlan {
  entries: PlanEntry[];
  /** Files the agent will reject, with their errors. */
  rejections: Rejection[];
  /** Jobs that keep running as they are because their file was rejected. */
  kept: string[];
}

export async function planRevision(input: {
  /** Every job file of the revision, relative to the jobs path. */
  files: readonly string[];
  read: (file: string) => Promise<JobFileContent>;
  /** state.json's active jobs; empty before the agent's first sync. */
  active: Readonly<Record<string, ActiveJob>>;
  options: Omit<ParseOptions, "specFile" | "schedules">;
}): Promise<RevisionPlan> {
  const held: [string, { spec: PlannedJob; revision: string }][] = Object.entries(
    input.active,
  ).flatMap(([name, job]) =>
    job.file === undefined
      ? []
      : [[job.file, { spec: { ...job, name, file: job.file }, revision: "active" }]],
  );
  const desired = new DesiredJobs<PlannedJob>(held);
  const schedules = createScheduleChecks();
  await desired.update({
    revision: "planned",
    // An active job whose file is not in the list is removed, as a deletion is.
    files: input.files,
    changes: input.files.map((path) => ({ path, kind: "modified" as const })),
    parse: async (file) => {
      const result = parseJobContent(await input.read(file), file, { ...input.options, schedules });
      return { issues: result.issues, ...(result.spec && { spec: plannedJobOf(result.spec) }) };
    },
  });
  const rejections = desired.rejections();
  const rejectedFiles = new Set(rejections.map((r) => r.file));
  const kept = desired
    .specs()
    .filter((job) => rejectedFiles.has(job.file))
    .map((job) => job.name)
    .sort();
  return { entries: plan(desired.specs(), input.active), rejections, kept };
}
