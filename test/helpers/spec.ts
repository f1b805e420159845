// Builds JobSpec and RunRequest objects directly, for runtime tests that need no job file.

import { defaultPolicy, type Policy } from "../../src/jobs/policy.js";
import type { JobSpec } from "../../src/jobs/spec.js";
import { runIdFor } from "../../src/runtime/names.js";
import type { RunRequest } from "../../src/runtime/runtime.js";
import { TEST_IMAGE } from "./docker.js";

export function jobSpec(overrides: Partial<JobSpec> & { name: string }): JobSpec {
  return {
    file: `${overrides.name}.yaml`,
    schedule: "* * * * *",
    timezone: "UTC",
    image: TEST_IMAGE,
    env: {},
    volumes: [],
    overlap: "queue",
    retries: { limit: 0, backoffMs: 0 },
    missed: "skip",
    suspended: false,
    labels: {},
    ...overrides,
  };
}

/** A shell command run by the test image's sh. */
export const shell = (script: string): Pick<JobSpec, "entrypoint" | "command"> => ({
  entrypoint: ["/bin/sh", "-c"],
  command: [script],
});

let tick = 0;

export function runRequest(
  spec: JobSpec,
  overrides: Partial<Omit<RunRequest, "policy">> & { policy?: Partial<Policy> } = {},
): RunRequest {
  // Distinct instants per request, so two runs of one job in a test get distinct container names.
  const scheduledAt = overrides.scheduledAt ?? new Date(Date.UTC(2026, 0, 1) + 1000 * ++tick);
  const attempt = overrides.attempt ?? 1;
  return {
    runId: runIdFor(spec.name, scheduledAt, attempt),
    spec,
    scheduledAt,
    attempt,
    trigger: "manual",
    revision: "test",
    env: {},
    ...overrides,
    policy: { ...defaultPolicy(), ...overrides.policy },
  };
}
