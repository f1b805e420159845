import { describe, expect, it } from "vitest";
import { readInput, readInputs } from "../../src/action/inputs.js";
import { UsageError } from "../../src/errors.js";

describe("Action inputs as the runner passes them", () => {
  it("reads a dashed input from INPUT_ with the dashes kept", () => {
    expect(readInput({ "INPUT_FAIL-ON-WARNINGS": " true " }, "fail-on-warnings")).toBe("true");
    expect(readInput({ INPUT_FAIL_ON_WARNINGS: "true" }, "fail-on-warnings")).toBe("");
  });

  it("defaults match action.yml when the runner passes empty values", () => {
    const inputs = readInputs({ GITHUB_WORKSPACE: "/ws", INPUT_PATH: "" }, "/elsewhere");
    expect(inputs).toEqual({
      workspace: "/ws",
      jobsPath: ".",
      failOnWarnings: false,
      policy: {
        level: "baseline",
        secretEnv: ["SECRET_*"],
        allowHostPath: [],
        allowVolume: [],
        allowLabel: [],
      },
      defaultTimezone: "UTC",
      statusBranch: "gitcron-status",
    });
  });

  it("takes the policy from secret-env, allow-host-path, allow-volume, allow-label and policy", () => {
    const inputs = readInputs(
      {
        "INPUT_SECRET-ENV": "APP_*, DB_PASSWORD",
        "INPUT_ALLOW-HOST-PATH": "/srv/exports",
        "INPUT_ALLOW-VOLUME": "shared-*",
        "INPUT_ALLOW-LABEL": "traefik.*",
        INPUT_POLICY: "restricted",
        INPUT_TIMEZONE: "Europe/Amsterdam",
        "INPUT_STATUS-BRANCH": "status",
        INPUT_PATH: "jobs",
      },
      "/checkout",
    );
    expect(inputs.workspace).toBe("/checkout");
    expect(inputs.jobsPath).toBe("jobs");
    expect(inputs.policy).toEqual({
      level: "restricted",
      secretEnv: ["APP_*", "DB_PASSWORD"],
      allowHostPath: ["/srv/exports"],
      allowVolume: ["shared-*"],
      allowLabel: ["traefik.*"],
    });
    expect(inputs.defaultTimezone).toBe("Europe/Amsterdam");
    expect(inputs.statusBranch).toBe("status");
  });

  it.each([
    ["true", true],
    ["True", true],
    ["FALSE", false],
  ])("fail-on-warnings %s reads as %s", (text, value) => {
    expect(readInputs({ "INPUT_FAIL-ON-WARNINGS": text }, "/").failOnWarnings).toBe(value);
  });

  it("refuses a fail-on-warnings that is not a YAML boolean", () => {
    expect(() => readInputs({ "INPUT_FAIL-ON-WARNINGS": "yes" }, "/")).toThrow(
      new UsageError('input fail-on-warnings must be true or false, not "yes"'),
    );
  });

  it("names the input, not the CLI flag, when a policy setting is unusable", () => {
    expect(() => readInputs({ "INPUT_ALLOW-HOST-PATH": "srv/data" }, "/")).toThrow(
      new UsageError('input allow-host-path needs absolute folders, not "srv/data"'),
    );
    expect(() => readInputs({ INPUT_POLICY: "lax" }, "/")).toThrow(/^input policy must be/);
  });

  it("refuses an unknown time zone", () => {
    expect(() => readInputs({ INPUT_TIMEZONE: "Mars/Olympus" }, "/")).toThrow(UsageError);
  });
});
