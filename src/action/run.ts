// The Action's work from inputs to exit code: load and judge the job files as the agent
// would, annotate each finding, write the step summary and the outputs.

import { appendFile, stat } from "node:fs/promises";
import path from "node:path";
import { EnvironmentError, oneLine, UsageError } from "../errors.js";
import type { Issue } from "../jobs/issues.js";
import { type LoadedTree, loadJobTree } from "../jobs/load.js";
import { countIssues, renderGithub, renderSummary, sortIssues } from "../jobs/render.js";
import { plan } from "../plan/plan.js";
import { type ActionInputs, readInputs } from "./inputs.js";
import { readActiveJobs } from "./status-branch.js";
import { type PlanSection, renderStepSummary } from "./summary.js";

export interface ActionIO {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WritableStream;
  cwd: string;
  now: () => Date;
}

/** 0 valid, 1 errors (or warnings with fail-on-warnings), 2 the Action is misconfigured. */
export async function runAction(io: ActionIO): Promise<number> {
  try {
    return await validate(io, readInputs(io.env, io.cwd));
  } catch (err) {
    const known = err instanceof UsageError || err instanceof EnvironmentError;
    const message = known ? oneLine(err) : `internal error: ${oneLine(err)}`;
    io.stdout.write(`::error title=gitcron::${escapeData(message)}\n`);
    return 2;
  }
}

async function validate(io: ActionIO, inputs: ActionInputs): Promise<number> {
  const { workspace } = inputs;
  const tree = await loadJobTree([inputs.jobsPath], {
    policy: inputs.policy,
    defaultTimezone: inputs.defaultTimezone,
    cwd: workspace,
  });
  const issues = sortIssues(inputs.failOnWarnings ? tree.issues.map(asError) : tree.issues);
  const counts = countIssues(issues, tree.files.length);
  io.stdout.write(renderGithub(issues, workspace));
  io.stdout.write(`gitcron: ${renderSummary(counts)}`);

  const jobsRoot = await jobsFolder(path.resolve(workspace, inputs.jobsPath));
  const planSection = await planAgainstStatus({ inputs, tree, issues, jobsRoot });
  const summary = renderStepSummary({
    specs: tree.specs,
    issues,
    files: tree.files.length,
    jobsRoot: relativeTo(workspace, jobsRoot) || ".",
    now: io.now(),
    plan: planSection,
  });
  if (io.env.GITHUB_STEP_SUMMARY) await appendFile(io.env.GITHUB_STEP_SUMMARY, summary);
  else io.stdout.write(summary);
  if (io.env.GITHUB_OUTPUT) {
    const outputs = {
      errors: counts.errors,
      warnings: counts.warnings,
      jobs: tree.specs.length,
      files: counts.files,
    };
    const lines = Object.entries(outputs).map(([name, value]) => `${name}=${value}\n`);
    await appendFile(io.env.GITHUB_OUTPUT, lines.join(""));
  }
  return counts.errors > 0 ? 1 : 0;
}

/** The agent judges each file on its own: a file with errors keeps its job as it runs now. */
async function planAgainstStatus(options: {
  inputs: ActionInputs;
  tree: LoadedTree;
  issues: readonly Issue[];
  /** Absolute; JobSpec.file and state.json's `file` are relative to it. */
  jobsRoot: string;
}): Promise<PlanSection> {
  const { inputs, tree, issues, jobsRoot } = options;
  const branch = inputs.statusBranch;
  const state = await readActiveJobs({ workspace: inputs.workspace, branch });
  if (!state.ok) return { branch, reason: state.reason };
  const invalid = new Set(
    issues
      .filter((i) => i.severity === "error")
      .map((i) => relativeTo(jobsRoot, path.resolve(inputs.workspace, i.file))),
  );
  const desired = tree.specs.filter((spec) => !invalid.has(spec.file));
  const wanted = new Set(desired.map((spec) => spec.name));
  const active = { ...state.active };
  const kept: string[] = [];
  for (const [name, job] of Object.entries(state.active)) {
    if (job.file && invalid.has(job.file) && !wanted.has(name)) {
      kept.push(name);
      delete active[name];
    }
  }
  return { branch, entries: plan(desired, active), kept: kept.sort(), revision: state.revision };
}

/** The folder job files are named relative to: the path itself, or a single file's folder. */
async function jobsFolder(absolute: string): Promise<string> {
  const info = await stat(absolute);
  return info.isDirectory() ? absolute : path.dirname(absolute);
}

const relativeTo = (from: string, to: string) => path.relative(from, to).split(path.sep).join("/");

const asError = (issue: Issue): Issue =>
  issue.severity === "warning" ? { ...issue, severity: "error" } : issue;

// Workflow-command data: a newline in a message would otherwise end the command.
const escapeData = (s: string) =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
