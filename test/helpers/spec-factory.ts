import type { JobSpec } from "../../src/jobs/spec.js";

/** A valid, normalised spec with test-friendly defaults. */
export function jobSpec(overrides: Partial<JobSpec> & { name: string }): JobSpec {
  return {
    file: `${overrides.name}.yaml`,
    schedule: "* * * * *",
    timezone: "UTC",
    image: "gitcron-test/busybox:1",
    env: {},
    volumes: [],
    overlap: "queue",
    retries: { limit: 0, backoffMs: 0 },
    missed: "skip",
    suspended: false,
    labels: {},
    notifyOn: ["failure", "recovery", "late", "missed"],
    ...overrides,
  };
}
