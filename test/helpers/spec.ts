// Builds JobSpec and RunRequest objects directly, for runtime tests that need no job file.

import { randomInt } from "node:crypto";
import { defaultPolicy, type Policy } from "../../src/jobs/policy.js";
import type { JobSpec } from "../../src/jobs/spec.js";
import { runIdFor } from "../../src/runtime/names.js";
import type { RunRequest } from "../../src/runtime/runtime.js";

export { jobSpec } from "./spec-factory.js";

/** A shell command run by the test image's sh. */
export const shell = (script: string): Pick<JobSpec, "entrypoint" | "command"> => ({
  entrypoint: ["/bin/sh", "-c"],
  command: [script],
});

/** The agent id runtime tests run as: list() and adoption answer only for it. */
export const TEST_AGENT = "test-agent";

export function runRequest(
  spec: JobSpec,
  overrides: Partial<Omit<RunRequest, "policy">> & { policy?: Partial<Policy> } = {},
): RunRequest {
  // A random whole second, so two runs of one job in a test get distinct container names.
  const scheduledAt =
    overrides.scheduledAt ?? new Date(Date.UTC(2026, 0, 1) + 1000 * randomInt(1e9));
  const attempt = overrides.attempt ?? 1;
  return {
    runId: runIdFor(spec.name, scheduledAt, attempt),
    spec,
    scheduledAt,
    attempt,
    trigger: "manual",
    revision: "test",
    agent: TEST_AGENT,
    env: {},
    ...overrides,
    policy: { ...defaultPolicy(), ...overrides.policy },
  };
}
