// The Action's work from inputs to exit code: load and judge the job files as the agent
// would, annotate each finding, write the step summary and the outputs.

import { appendFile, stat } from "node:fs/promises";
import path from "node:path";
import { EnvironmentError, oneLine, UsageError } from "../errors.js";
import type { Issue } from "../jobs/issues.js";
import { readJobFileFromDisk } from "../jobs/job-file.js";
import { type LoadedTree, loadJobTree } from "../jobs/load.js";
import { countIssues, renderGithub, renderSummary, sortIssues } from "../jobs/render.js";
import { planRevision } from "../plan/revision.js";
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
  const planSection = await planAgainstStatus({ inputs, tree, jobsRoot, env: io.env });
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

/** The plan the agent will carry out, by its own rules (planRevision): a file with errors keeps
 * its job as it runs now; a file that takes an active job's name is rejected. */
async function planAgainstStatus(options: {
  inputs: ActionInputs;
  tree: LoadedTree;
  /** Absolute; JobSpec.file and state.json's `file` are relative to it. */
  jobsRoot: string;
  env: ActionIO["env"];
}): Promise<PlanSection> {
  const { inputs, tree, jobsRoot } = options;
  const branch = inputs.statusBranch;
  const state = await readActiveJobs({
    env: options.env,
    workspace: inputs.workspace,
    branch,
    ...(inputs.statusRepo && { repo: inputs.statusRepo }),
  });
  if (!state.ok) return { branch, reason: state.reason };
  const planned = await planRevision({
    files: tree.files.map((f) => relativeTo(jobsRoot, path.resolve(inputs.workspace, f))),
    read: async (file) => readJobFileFromDisk(path.join(jobsRoot, file)),
    active: state.active,
    options: { policy: inputs.policy, defaultTimezone: inputs.defaultTimezone },
  });
  return { branch, entries: planned.entries, kept: planned.kept, revision: state.revision };
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
