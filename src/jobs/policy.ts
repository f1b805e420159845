// The agent-side policy of SPEC §4. It never comes from the repository.

export type PolicyLevel = "baseline" | "restricted";

export interface Policy {
  level: PolicyLevel;
  /** Glob patterns (only `*` is special) of agent variables that `fromEnv` may read. */
  secretEnv: string[];
  /** Host folders under which `hostPath` mounts are allowed. */
  allowHostPath: string[];
}

export const defaultPolicy = (): Policy => ({
  level: "baseline",
  secretEnv: ["SECRET_*"],
  allowHostPath: [],
});
