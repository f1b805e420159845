// A file under the size cap can still hold tens of thousands of keys. What it costs is bounded:
// at most MAX_LISTED findings are worded (one more counts the rest), and duplicate keys are
// found in one pass, so such a file is judged in a fraction of a second and what the branch
// and the page record about it stays small.

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createFindings, MAX_LISTED } from "../../src/jobs/findings.js";
import { DEFAULT_MAX_BYTES, parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";

const BASE = "schedule: '@daily'\nimage: busybox\n";
const parse = (text: string) =>
  parseJobFile(text, "bomb.yaml", { policy: defaultPolicy(), defaultTimezone: "UTC" });
const lines = (n: number, line: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => line(i)).join("\n");

describe("a file of many keys", () => {
  it("28,000 repeats of one key: every one a finding to the YAML parser; here 20 and a count", () => {
    const text = `${BASE}${lines(28_000, (i) => `k: ${i}`)}\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(DEFAULT_MAX_BYTES);
    // The payload: the parser's own check finds each repeat (comparing it with every key
    // before it); its messages alone would be megabytes.
    const small = `${BASE}${lines(2_000, (i) => `k: ${i}`)}\n`;
    expect(parseAllDocuments(small, { uniqueKeys: true })[0]?.errors).toHaveLength(1_999);

    const { issues, spec } = parse(text);
    expect(spec).toBeUndefined();
    expect(issues).toHaveLength(MAX_LISTED + 1);
    expect(issues[0]).toMatchObject({
      line: 4,
      rule: "yaml.duplicate-key",
      message: 'key "k" appears twice: on line 3 and on line 4',
    });
    expect(issues.at(-1)).toMatchObject({
      severity: "error",
      rule: "file.findings",
      message: "27979 more findings in this file are not listed (27979 of them errors)",
    });
    expect(JSON.stringify(issues).length).toBeLessThan(8_000);
  });

  it("20,000 unknown keys: 20 worded with their suggestion, the rest counted", () => {
    const { issues } = parse(`${BASE}${lines(20_000, (i) => `k${i}: 1`)}\n`);
    expect(issues).toHaveLength(MAX_LISTED + 1);
    expect(issues.at(-1)?.message).toBe(
      "19980 more findings in this file are not listed (19980 of them errors)",
    );
  });

  it("finds a repeated key in a nested mapping and in a list's mapping, and lets `<<` merge", () => {
    const text = `${BASE}x-shared: &shared\n  A: "1"\nenv:\n  <<: *shared\n  B: "2"\n  B: "3"\nvolumes:\n  - name: v\n    path: /v\n    path: /w\n`;
    const found = parse(text).issues.filter((i) => i.rule === "yaml.duplicate-key");
    expect(found.map((i) => [i.line, i.message])).toEqual([
      [12, 'key "path" appears twice: on line 11 and on line 12'],
      [8, 'key "B" appears twice: on line 7 and on line 8'],
    ]);
  });

  it("never hides an error behind listed warnings: the count is an error when one was left out", () => {
    const findings = createFindings("job.yaml");
    for (let i = 0; i < MAX_LISTED; i++)
      findings.addAt("warning", { line: i + 1, col: 1 }, { rule: "w", message: "note" });
    findings.addAt("warning", { line: 99, col: 1 }, { rule: "w", message: "note" });
    expect(findings.issues.at(-1)?.severity).toBe("warning");
    findings.addAt("error", { line: 100, col: 1 }, { rule: "e", message: "wrong" });
    expect(findings.issues).toHaveLength(MAX_LISTED + 1);
    expect(findings.issues.at(-1)).toMatchObject({
      severity: "error",
      message: "2 more findings in this file are not listed (1 of them errors)",
    });
  });
});
