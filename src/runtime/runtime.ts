// The seam between the scheduler and a container engine. Docker and Swarm
// implement it; both run the same conformance suite.

import type { Policy } from "../jobs/policy.js";
import type { JobSpec } from "../jobs/spec.js";

export type Trigger = "schedule" | "retry" | "catch-up" | "manual";
/** `stopped`: ended by someone's request (gitcron stop), whatever its exit code. */
export type RunOutcome = "succeeded" | "failed" | "timeout" | "error" | "stopped";

/** What to abort RunOptions.stop with when a person stops a run: it is recorded as `stopped`
 * ("stopped by request: <why>"). Any other reason (overlap: replace) keeps the outcome the exit
 * code gives. */
export class StopRequest {
  constructor(readonly why: string) {}
}

export interface RunRequest {
  /** `<job>-<YYYYMMDDTHHMMSSZ>-<attempt>`; also the `gitcron.run` label. */
  runId: string;
  spec: JobSpec;
  scheduledAt: Date;
  attempt: number;
  trigger: Trigger;
  /** Commit SHA (or folder digest) the spec came from; the `gitcron.revision` label. */
  revision: string;
  /** Which agent owns the run: the `gitcron.agent` label and the end of the container's name.
   * Agents sharing an engine follow, stop, adopt and record only their own runs. */
  agent: string;
  /** The agent's environment, from which `fromEnv` values are resolved at run time. */
  env: Readonly<Record<string, string | undefined>>;
  policy: Policy;
}

export interface OutputLine {
  stream: "stdout" | "stderr";
  /** One line without its newline, secrets already replaced by `***`. */
  text: string;
}

export interface RunOptions {
  /** Each line of output as it arrives. */
  onLine?: (line: OutputLine) => void;
  /** Called once the container has started. */
  onStart?: (info: { startedAt: Date; containerId: string; adopted: boolean }) => void;
  /** Aborting stops the run (SIGTERM, then SIGKILL after the grace period): `overlap: replace`,
   * or a StopRequest (`gitcron stop`). */
  stop?: AbortSignal;
  /** Awaited after the run ends and BEFORE its container is removed, so the record is on
   * disk before the engine forgets the run (a crash in between means adoption, not loss). */
  onResult?: (result: RunResult) => Promise<void>;
}

export interface RunResult {
  runId: string;
  outcome: RunOutcome;
  /** null when the container never ran or was killed without one. */
  exitCode: number | null;
  /** One sentence when outcome is `error` or `timeout`, else null. */
  reason: string | null;
  startedAt: Date;
  finishedAt: Date;
  imageDigest: string | null;
  /** Last 4 KiB of output, secrets redacted. */
  logTail: string;
  /** True when the run was found already going (name conflict or restart) and only waited on. */
  adopted: boolean;
}

/** A gitcron run the engine knows about, found by its labels. */
export interface ExistingRun {
  runId: string;
  job: string;
  revision: string | null;
  /** The `gitcron.agent` label; null on runs started without one. */
  agent: string | null;
  scheduledAt: Date | null;
  running: boolean;
  /** Engine id of the container or service. */
  id: string;
}

export interface Runtime {
  readonly kind: "docker" | "swarm";
  /** Runs one attempt to its end. Never rejects: failures come back as outcome `error`. */
  run(request: RunRequest, options?: RunOptions): Promise<RunResult>;
  /** Runs of `agent` still in the engine (running or exited, not yet removed): only those
   * labelled with its id. */
  list(agent: string): Promise<ExistingRun[]>;
  /** Waits for an existing run to end, records it and removes it — once its container is seen
   * to carry `existing.agent`'s label. Never rejects. */
  adopt(existing: ExistingRun, options?: RunOptions): Promise<RunResult>;
  /** Resolves when the engine answers, rejects with a one-sentence error otherwise. */
  ping(): Promise<void>;
}
