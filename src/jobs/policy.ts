// The agent-side policy of SPEC §4. It never comes from the repository.

export type PolicyLevel = "baseline" | "restricted";

export interface Policy {
  level: PolicyLevel;
  /** Glob patterns (only `*` is special) of agent variables that `fromEnv` may read. */
  secretEnv: string[];
  /** Host folders that `hostPath` may name, exactly. */
  allowHostPath: string[];
  /** Glob patterns (only `*` is special) of existing volumes, not gitcron's own, that jobs may
   * mount: volumes the operator shares on purpose. */
  allowVolume: string[];
  /** Glob patterns (only `*` is special) of label keys with a dotted prefix (`traefik.*`) that
   * jobs may set: such keys drive other programs that read containers' labels. */
  allowLabel: string[];
}

export const defaultPolicy = (): Policy => ({
  level: "baseline",
  secretEnv: ["SECRET_*"],
  allowHostPath: [],
  allowVolume: [],
  allowLabel: [],
});
