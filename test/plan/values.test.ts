// `gitcron plan` shows a changed field as the job files write it (issue 26, item 13).

import { describe, expect, it } from "vitest";
import { fieldChanges, flow, rawJob } from "../../src/plan/values.js";

describe("a field's value as a job file writes it, on one line", () => {
  it.each([
    ["15m", "15m"],
    ["*/15 * * * *", '"*/15 * * * *"'],
    [["sh", "-c"], "[ sh, -c ]"],
    [{ limit: 2, backoff: "30s" }, "{ limit: 2, backoff: 30s }"],
    [{ API_KEY: { fromEnv: "SECRET_KEY" } }, "{ API_KEY: { fromEnv: SECRET_KEY } }"],
    [true, "true"],
    ["1.0", '"1.0"'],
  ])("%j → %s", (value, text) => {
    expect(flow(value)).toBe(text);
  });
});

describe("fieldChanges", () => {
  it("reads both files' values; a field one file leaves out has none; long values are cut", () => {
    const before = rawJob('schedule: "0 4 * * *"\nimage: a:1\ntimeout: 15m\n');
    const after = rawJob(`schedule: "30 4 * * *"\nimage: a:1\ncommand: ["${"x".repeat(60)}"]\n`);
    if (!before || !after) throw new Error("fixtures must parse");
    expect(fieldChanges(["command", "schedule", "timeout"], before, after)).toEqual([
      { field: "command", to: `[ ${"x".repeat(37)}…` },
      { field: "schedule", from: "0 4 * * *", to: "30 4 * * *" },
      { field: "timeout", from: "15m" },
    ]);
  });

  it("a text that is not a mapping, or not YAML, has no values", () => {
    expect(rawJob("- a\n- b\n")).toBeUndefined();
    expect(rawJob("a: [\n")).toBeUndefined();
  });
});
