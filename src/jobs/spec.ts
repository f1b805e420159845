// The validated, normalised form of one job file. Everything downstream of
// src/jobs works on this shape, never on raw YAML.

export type Overlap = "queue" | "skip" | "replace";
export type MissedPolicy = "skip" | "run-once";

/** A literal value, or the name of an agent variable read at run time. */
export type EnvValue = { value: string } | { fromEnv: string };

export type VolumeMount =
  | { kind: "volume"; volume: string; path: string; readOnly: boolean }
  | { kind: "hostPath"; hostPath: string; path: string; readOnly: boolean };

export type NotifyEvent = "failure" | "recovery" | "late" | "missed";
export const NOTIFY_EVENTS: readonly NotifyEvent[] = ["failure", "recovery", "late", "missed"];

/** How long a job may go without a success before it is late: a duration, or derived from its
 * schedule (`auto`) by the agent, which knows the time. */
export type ExpectSuccess = { ms: number } | { auto: true };

export interface Placement {
  constraints: string[];
  preferences: { spread: string }[];
}

export interface JobSpec {
  /** DNS label, unique across the tree. */
  name: string;
  /** Path of the source file relative to the jobs root, with forward slashes. */
  file: string;
  schedule: string;
  /** IANA zone; the agent's --timezone when the file names none. */
  timezone: string;
  image: string;
  entrypoint?: string[];
  command?: string[];
  workingDir?: string;
  user?: string;
  env: Record<string, EnvValue>;
  volumes: VolumeMount[];
  resources?: { cpus?: number; memoryBytes?: number };
  network?: string;
  timeoutMs?: number;
  overlap: Overlap;
  retries: { limit: number; backoffMs: number };
  missed: MissedPolicy;
  startingDeadlineMs?: number;
  suspended: boolean;
  /** Present only when the file asks for a terminal, so specs saved before the field stay equal. */
  tty?: true;
  labels: Record<string, string>;
  placement?: Placement;
  expectSuccessWithin?: ExpectSuccess;
  /** The notifications this job sends; empty for `notify: false`. */
  notifyOn: NotifyEvent[];
}
