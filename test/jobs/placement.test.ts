// The optional `placement` field (Swarm only): accepted exactly as the schema says, refused
// with the place and rule otherwise.

import { describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";

const BASE = 'schedule: "0 3 * * *"\nimage: alpine:3\n';
const parse = (text: string) =>
  parseJobFile(text, "jobs/report.yaml", { policy: defaultPolicy(), defaultTimezone: "UTC" });

describe("placement is accepted as the schema says", () => {
  test.each([
    {
      yaml: 'placement:\n  constraints: ["node.role == manager", "node.labels.disk != hdd"]\n',
      placement: {
        constraints: ["node.role == manager", "node.labels.disk != hdd"],
        preferences: [],
      },
    },
    {
      yaml: "placement:\n  preferences:\n    - spread: node.labels.zone\n",
      placement: { constraints: [], preferences: [{ spread: "node.labels.zone" }] },
    },
    { yaml: "placement: {}\n", placement: { constraints: [], preferences: [] } },
  ])("$yaml", ({ yaml, placement }) => {
    const { spec, issues } = parse(`${BASE}${yaml}`);
    expect(issues).toEqual([]);
    expect(spec?.placement).toEqual(placement);
  });

  test("a job without placement has none in its spec", () => {
    const { spec, issues } = parse(BASE);
    expect(issues).toEqual([]);
    expect(spec).not.toHaveProperty("placement");
  });
});

describe("anything else is refused where it is written", () => {
  test.each([
    {
      name: "an unknown key",
      yaml: "placement:\n  nodes: [a]\n",
      line: 4,
      rule: "schema.unknown",
    },
    {
      name: "a constraint that is not a list",
      yaml: 'placement:\n  constraints: "node.role == worker"\n',
      line: 4,
      rule: "schema.type",
    },
    {
      name: "an empty constraint",
      yaml: 'placement:\n  constraints: [""]\n',
      line: 4,
      rule: "schema.minLength",
    },
    {
      name: "a preference with another key",
      yaml: "placement:\n  preferences:\n    - { spread: node.labels.zone, binpack: x }\n",
      line: 5,
      rule: "schema.unknown",
    },
    {
      name: "an empty spread",
      yaml: 'placement:\n  preferences:\n    - spread: ""\n',
      line: 5,
      rule: "schema.minLength",
    },
    { name: "placement as a string", yaml: "placement: managers\n", line: 3, rule: "schema.type" },
  ])("$name", ({ yaml, line, rule }) => {
    const { spec, issues } = parse(`${BASE}${yaml}`);
    expect(spec).toBeUndefined();
    expect(issues).toContainEqual(expect.objectContaining({ line, rule, severity: "error" }));
  });
});
