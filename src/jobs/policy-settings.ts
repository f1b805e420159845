// The policy from flag or environment strings, shared by `validate`, the agent and
// the Action so a pull request is judged as the agent will judge it.

import { posix } from "node:path";
import { UsageError } from "../errors.js";
import { jobPatternProblem } from "../text/glob.js";
import { defaultPolicy, type Policy, type PolicyLevel } from "./policy.js";

export interface PolicySettings {
  /** `baseline` (default) or `restricted`. */
  level?: string | undefined;
  /** Comma-separated patterns; default `SECRET_*`. */
  secretEnv?: string | undefined;
  /** Comma-separated absolute host folders; default none. */
  allowHostPath?: string | undefined;
  /** Comma-separated patterns of existing volumes jobs may mount; default none. */
  allowVolume?: string | undefined;
  /** Comma-separated patterns of label keys with a dotted prefix jobs may set; default none. */
  allowLabel?: string | undefined;
}

export const splitList = (text: string): string[] =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const LEVELS: readonly PolicyLevel[] = ["baseline", "restricted"];

/** An entry inside another: whoever may write in the outer folder decides what the inner is. */
function nestedEntry(entries: readonly string[]): { inner: string; outer: string } | undefined {
  const folders = entries.map((e) => posix.resolve(e));
  for (const inner of folders)
    for (const outer of folders)
      if (inner !== outer && inner.startsWith(outer === "/" ? "/" : `${outer}/`))
        return { inner, outer };
  return undefined;
}

/** Throws UsageError naming the setting when a value is unusable. */
export function policyFromSettings(settings: PolicySettings): Policy {
  const policy = defaultPolicy();
  if (settings.level !== undefined) {
    if (!LEVELS.includes(settings.level as PolicyLevel)) {
      throw new UsageError(`--policy must be baseline or restricted, not "${settings.level}"`);
    }
    policy.level = settings.level as PolicyLevel;
  }
  if (settings.secretEnv !== undefined) {
    policy.secretEnv = splitList(settings.secretEnv);
    const problem = policy.secretEnv.map(jobPatternProblem).find(Boolean);
    if (problem) throw new UsageError(`--secret-env ${problem}`);
  }
  if (settings.allowHostPath !== undefined) {
    policy.allowHostPath = splitList(settings.allowHostPath);
    const relative = policy.allowHostPath.find((p) => !p.startsWith("/"));
    if (relative)
      throw new UsageError(`--allow-host-path needs absolute folders, not "${relative}"`);
    const nested = nestedEntry(policy.allowHostPath);
    if (nested)
      throw new UsageError(
        `--allow-host-path ${nested.inner} is inside ${nested.outer}: a job that mounts ` +
          `${nested.outer} could replace it with a link (to the Docker socket's folder) before ` +
          "another job mounts it; list folders that do not contain each other",
      );
  }
  if (settings.allowVolume !== undefined) policy.allowVolume = splitList(settings.allowVolume);
  if (settings.allowLabel !== undefined) policy.allowLabel = splitList(settings.allowLabel);
  return policy;
}
