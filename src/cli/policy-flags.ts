// The policy flags `validate`, `plan` and `run` share with the agent (SPEC §4): a pull request
// is judged by the same flags, read the same way, as the agent will judge it.

import type { Policy } from "../jobs/policy.js";
import { type PolicySettings, policyFromSettings } from "../jobs/policy-settings.js";

export const POLICY_FLAGS = {
  "secret-env": { type: "string" },
  "allow-host-path": { type: "string" },
  "allow-volume": { type: "string" },
  "allow-label": { type: "string" },
  policy: { type: "string" },
  timezone: { type: "string" },
} as const;

export const POLICY_HELP = `  --secret-env LIST           comma-separated patterns fromEnv may name; {JOB} is the job's
                              name (default SECRET_*; env GITCRON_SECRET_ENV)
  --allow-host-path LIST      comma-separated host folders hostPath may name, exactly
                              (default none; env GITCRON_ALLOW_HOST_PATH)
  --allow-volume LIST         comma-separated patterns of existing volumes jobs may mount
                              besides gitcron's own (default none; env GITCRON_ALLOW_VOLUME)
  --allow-label LIST          comma-separated patterns of label keys with a dotted prefix
                              (traefik.*) jobs may set (default none; env GITCRON_ALLOW_LABEL)
  --policy baseline|restricted  policy level (default baseline; env GITCRON_POLICY)
  --timezone TZ               zone of jobs that name none (default UTC; env GITCRON_TIMEZONE)`;

type Values = Partial<Record<keyof typeof POLICY_FLAGS, string | boolean | undefined>>;

const text = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);

/** Each flag, else its GITCRON_* variable. Throws UsageError naming the flag. */
export function policyFromFlags(
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
): Policy {
  const settings: PolicySettings = {
    level: text(values.policy) ?? env.GITCRON_POLICY,
    secretEnv: text(values["secret-env"]) ?? env.GITCRON_SECRET_ENV,
    allowHostPath: text(values["allow-host-path"]) ?? env.GITCRON_ALLOW_HOST_PATH,
    allowVolume: text(values["allow-volume"]) ?? env.GITCRON_ALLOW_VOLUME,
    allowLabel: text(values["allow-label"]) ?? env.GITCRON_ALLOW_LABEL,
  };
  return policyFromSettings(settings);
}
