// The Action's inputs, read as a runner passes them: `INPUT_<NAME>` environment variables,
// the name upper-cased with spaces turned into underscores and dashes kept
// (`fail-on-warnings` → `INPUT_FAIL-ON-WARNINGS`). No @actions/core needed for that.

import path from "node:path";
import { UsageError } from "../errors.js";
import type { Policy } from "../jobs/policy.js";
import { policyFromSettings } from "../jobs/policy-settings.js";
import { isTimeZone } from "../schedule/cron.js";

export interface ActionInputs {
  /** Absolute: the runner's checkout (`GITHUB_WORKSPACE`), else the working directory. */
  workspace: string;
  /** The jobs path as given, resolved against the workspace when loading. */
  jobsPath: string;
  failOnWarnings: boolean;
  policy: Policy;
  defaultTimezone: string;
  statusBranch: string;
  /** The agent's --status-repo; undefined: the checkout's origin. */
  statusRepo?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** An input's value, trimmed; "" when unset (the runner sets every declared input). */
export const readInput = (env: Env, name: string): string =>
  (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();

// The YAML 1.2 core schema's booleans, as actions/toolkit's getBooleanInput accepts them.
const TRUE = ["true", "True", "TRUE"];
const FALSE = ["false", "False", "FALSE"];

function booleanInput(env: Env, name: string, fallback: boolean): boolean {
  const text = readInput(env, name);
  if (text === "") return fallback;
  if (TRUE.includes(text)) return true;
  if (FALSE.includes(text)) return false;
  throw new UsageError(`input ${name} must be true or false, not "${text}"`);
}

/** Throws UsageError naming the input when a value is unusable. */
export function readInputs(env: Env, cwd: string): ActionInputs {
  const workspace = path.resolve(cwd, env.GITHUB_WORKSPACE || ".");
  const orUndefined = (name: string) => readInput(env, name) || undefined;
  const policy = asInputError(() =>
    policyFromSettings({
      level: orUndefined("policy"),
      secretEnv: orUndefined("secret-env"),
      allowHostPath: readInput(env, "allow-host-path"),
      allowVolume: readInput(env, "allow-volume"),
      allowLabel: readInput(env, "allow-label"),
    }),
  );
  const defaultTimezone = readInput(env, "timezone") || "UTC";
  if (!isTimeZone(defaultTimezone)) {
    throw new UsageError(`input timezone "${defaultTimezone}" is not an IANA time zone`);
  }
  return {
    workspace,
    jobsPath: readInput(env, "path") || ".",
    failOnWarnings: booleanInput(env, "fail-on-warnings", false),
    policy,
    defaultTimezone,
    statusBranch: readInput(env, "status-branch") || "gitcron-status",
    ...(readInput(env, "status-repo") && { statusRepo: readInput(env, "status-repo") }),
  };
}

/** The shared policy parser names CLI flags; a workflow author set `with:` inputs. */
function asInputError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message.replace(/^--/, "input "));
    throw err;
  }
}
