// state.json's shape, nested fields included: the branch is untrusted input (issue 25 item 10).

import { describe, expect, it } from "vitest";
import { EnvironmentError } from "../../src/errors.js";
import { isStatusState, parseStatusState } from "../../src/status/state.js";
import { state } from "./fixtures.js";

const good = () => state(["nightly"]) as unknown as Record<string, unknown>;
const issue = { file: "x.yaml", line: 1, col: 1, severity: "error", rule: "r", message: "m" };

describe("isStatusState", () => {
  it("accepts what the agent writes, with its optional fields", () => {
    expect(isStatusState(good())).toBe(true);
    const full = state(["a"], {
      syncErrors: { count: 2, last: { at: "2026-11-26T03:00:00Z", message: "x" } },
      rejected: [{ file: "x.yaml", issues: [{ ...issue, severity: "warning", hint: "h" }] }],
    });
    Object.assign(full.jobs.a ?? {}, { fields: { image: "h" }, appliedAt: "t", late: true });
    expect(isStatusState(full)).toBe(true);
  });

  it.each([
    ["a job's schedule", { jobs: { nightly: { ...state(["n"]).jobs.n, schedule: 5 } } }],
    ["a job that is not an object", { jobs: { nightly: "x" } }],
    ["a job's fields", { jobs: { nightly: { ...state(["n"]).jobs.n, fields: { a: 1 } } } }],
    ["jobs as an array", { jobs: [] }],
    ["rejected issues", { rejected: [{ file: "x.yaml", issues: "none" }] }],
    ["an issue's line", { rejected: [{ file: "x.yaml", issues: [{ ...issue, line: "1" }] }] }],
    [
      "an issue's severity",
      { rejected: [{ file: "x.yaml", issues: [{ ...issue, severity: 1 }] }] },
    ],
    ["an issue's hint", { rejected: [{ file: "x.yaml", issues: [{ ...issue, hint: {} }] }] }],
    ["syncErrors", { syncErrors: null }],
    ["syncErrors.last", { syncErrors: { count: 1, last: { at: 1 } } }],
    ["agentVersion", { agentVersion: { toString: 1 } }],
    ["revision", { revision: 7 }],
  ])("refuses %s of the wrong type, in one sentence", (_, over) => {
    const value = { ...good(), ...over };
    expect(isStatusState(value)).toBe(false);
    expect(() => parseStatusState(JSON.stringify(value), "b")).toThrow(EnvironmentError);
  });
});
