// A real Scheduler on a fake clock whose runs the test ends by hand (MemoryRuntime).

import { defaultPolicy } from "../../src/jobs/policy.js";
import type { JobSpec } from "../../src/jobs/spec.js";
import { silentLogger } from "../../src/log.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import type { RunSummary } from "../../src/status/summary.js";
import { FakeClock } from "./fake-clock.js";
import { MemoryRuntime } from "./memory-runtime.js";
import { jobSpec } from "./spec-factory.js";

/** Jobs default to a schedule that never fires during a test (1 January only). */
export function schedulerWith(
  jobs: (Partial<JobSpec> & { name: string })[],
  start = "2026-11-26T10:00:00.250Z",
  maxParallel = 16,
) {
  const clock = new FakeClock(start);
  const runtime = new MemoryRuntime(clock);
  const recorded: RunSummary[] = [];
  /** The runs of `recorded` that a catch-up tells together. */
  const caughtUp: RunSummary[] = [];
  const scheduler = new Scheduler({
    clock,
    runtime,
    record: async (s, context) => {
      recorded.push(s);
      if (context.caughtUp) caughtUp.push(s);
    },
    logger: silentLogger(),
    policy: defaultPolicy(),
    env: {},
    agent: "test-agent",
    maxParallel,
  });
  for (const job of jobs) scheduler.upsert(jobSpec({ schedule: "0 0 1 1 *", ...job }), "rev1");
  return { clock, runtime, recorded, caughtUp, scheduler };
}
