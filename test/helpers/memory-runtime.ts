// A runtime that runs nothing: each run waits until the test ends it. For the scheduler's
// unit tests only; tests that claim engine behaviour use the real Docker runtime.

import type { Clock } from "../../src/core/clock.js";
import type {
  ExistingRun,
  RunOptions,
  RunRequest,
  RunResult,
  Runtime,
} from "../../src/runtime/runtime.js";

export interface HeldRun {
  request: RunRequest;
  options: RunOptions;
  startedAt: Date;
  finish(exitCode: number): Promise<void>;
  stopped: boolean;
}

export class MemoryRuntime implements Pick<Runtime, "run" | "adopt"> {
  readonly held: HeldRun[] = [];
  readonly started: RunRequest[] = [];
  /** Most runs of one job going at once, seen from the runtime's side. */
  maxConcurrentPerJob = 0;
  private readonly live = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  running(job?: string): HeldRun[] {
    return this.held.filter((h) => !job || h.request.spec.name === job);
  }

  run(request: RunRequest, options: RunOptions = {}): Promise<RunResult> {
    this.started.push(request);
    const job = request.spec.name;
    const n = (this.live.get(job) ?? 0) + 1;
    this.live.set(job, n);
    this.maxConcurrentPerJob = Math.max(this.maxConcurrentPerJob, n);
    const startedAt = this.clock.now();
    options.onStart?.({ startedAt, containerId: request.runId, adopted: false });
    return new Promise<RunResult>((resolve) => {
      const held: HeldRun = {
        request,
        options,
        startedAt,
        stopped: false,
        finish: async (exitCode) => {
          this.held.splice(this.held.indexOf(held), 1);
          this.live.set(job, (this.live.get(job) ?? 1) - 1);
          const result: RunResult = {
            runId: request.runId,
            outcome: exitCode === 0 ? "succeeded" : "failed",
            exitCode,
            reason: null,
            startedAt,
            finishedAt: this.clock.now(),
            imageDigest: null,
            logTail: "",
            adopted: false,
          };
          await options.onResult?.(result);
          resolve(result);
        },
      };
      options.stop?.addEventListener(
        "abort",
        () => {
          held.stopped = true;
          void held.finish(143);
        },
        { once: true },
      );
      this.held.push(held);
    });
  }

  adopt(existing: ExistingRun, options: RunOptions = {}): Promise<RunResult> {
    const spec = { name: existing.job } as RunRequest["spec"];
    return this.run(
      {
        runId: existing.runId,
        spec,
        scheduledAt: existing.scheduledAt ?? this.clock.now(),
        attempt: 1,
        trigger: "schedule",
        revision: "r",
        agent: existing.agent ?? "test-agent",
        env: {},
        policy: {
          level: "baseline",
          secretEnv: [],
          allowHostPath: [],
          allowVolume: [],
          allowLabel: [],
        },
      },
      options,
    );
  }
}
