// The step summary a pull request's reviewer reads: the jobs with their schedules in words
// and next runs, the findings, and what the agent will change after the merge. Pure: the
// clock and the plan come in as data.

import path from "node:path";
import type { Issue } from "../jobs/issues.js";
import type { JobSpec } from "../jobs/spec.js";
import { type PlanEntry, renderPlan } from "../plan/plan.js";
import { nextTimes, parseSchedule, zoneFormatter } from "../schedule/cron.js";
import { describeSchedule } from "../schedule/describe.js";
import { cell, code, fenced, table } from "../text/markdown.js";

export type PlanSection =
  | {
      branch: string;
      entries: PlanEntry[];
      /** Running jobs whose file is now invalid: the agent keeps their last good spec. */
      kept: string[];
      revision: string | null;
    }
  | { branch: string; reason: string };

export interface StepSummaryInput {
  specs: readonly JobSpec[];
  /** Findings in reading order, paths relative to the workspace. */
  issues: readonly Issue[];
  files: number;
  /** The jobs path relative to the workspace, forward slashes ("." for the root). */
  jobsRoot: string;
  now: Date;
  /** Absent when there was nothing to compare against (e.g. the jobs did not load). */
  plan?: PlanSection;
}

const NEXT_RUNS = 3;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function renderStepSummary(input: StepSummaryInput): string {
  const errors = input.issues.filter((i) => i.severity === "error");
  const warnings = input.issues.filter((i) => i.severity === "warning");
  const parts = [
    `## gitcron: ${plural(input.specs.length, "job")}`,
    `${plural(input.files, "file")} checked: ${plural(errors.length, "error")}, ${plural(warnings.length, "warning")}.`,
  ];
  if (input.specs.length > 0) parts.push(jobsTable(input));
  if (errors.length > 0) parts.push("### Errors", issuesTable(errors));
  if (warnings.length > 0) parts.push("### Warnings", issuesTable(warnings));
  if (input.plan) parts.push(...planSection(input.plan));
  return `${parts.join("\n\n")}\n`;
}

function jobsTable(input: StepSummaryInput): string {
  const rows = [...input.specs]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((spec) => [
      code(spec.name),
      code(path.posix.join(input.jobsRoot, spec.file)),
      code(spec.schedule),
      cell(inWords(spec.schedule)),
      cell(spec.timezone),
      spec.suspended ? "suspended" : nextRuns(spec, input.now),
    ]);
  return table(["job", "file", "schedule", "in words", "zone", "next runs"], rows);
}

function inWords(schedule: string): string {
  try {
    return describeSchedule(schedule);
  } catch {
    // cronstrue knows fewer forms than gitcron (e.g. some `L`/`#` mixes): say nothing.
    return "";
  }
}

function nextRuns(spec: JobSpec, now: Date): string {
  const format = zoneFormatter(spec.timezone);
  const times = nextTimes(parseSchedule(spec.schedule, spec.timezone), now, NEXT_RUNS);
  return times.length > 0 ? times.map((t) => cell(format(t))).join("<br>") : "never";
}

function issuesTable(issues: readonly Issue[]): string {
  const rows = issues.map((i) => [
    code(`${i.file}:${i.line}:${i.col}`),
    code(i.rule),
    cell(i.hint ? `${i.message}\nhint: ${i.hint}` : i.message),
  ]);
  return table(["where", "rule", "message"], rows);
}

function planSection(plan: PlanSection): string[] {
  const head = `### Plan against ${code(plan.branch)}`;
  if ("reason" in plan) return [head, `No plan: ${cell(plan.reason)}.`];
  const applied = plan.revision
    ? ` (the agent has applied ${code(plan.revision.slice(0, 12))})`
    : "";
  const parts = [
    head,
    `What the agent will change after the merge${applied}:`,
    fenced(renderPlan(plan.entries), "diff"),
  ];
  if (plan.kept.length > 0) {
    parts.push(
      `Left as they run now, because their file is invalid: ${plan.kept.map(code).join(", ")}.`,
    );
  }
  return parts;
}
