// The quick parse (js-yaml) must read every file it accepts exactly as `yaml` does, and must
// hand every construct where the two differ to `yaml`, whose positions and caps then apply.

import { Volume } from "memfs";
import { describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { type Fs, loadJobTree } from "../../src/jobs/load.js";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { quickParse } from "../../src/jobs/quick-parse.js";

const options = { policy: defaultPolicy(), defaultTimezone: "UTC" };

/** Files the quick path takes: the same object as `yaml` gives, value for value. */
const AGREED: Record<string, string> = {
  "every field": `# a comment
schedule: "0 3 * * MON"   # trailing comment
image: ghcr.io/acme/sync:2
timezone: America/New_York
command: ["sync", "--all"]
entrypoint: [ "/bin/sh", '-c' ]
user: 1000
workingDir: /srv
env:
  RATIO: 0.5
  COUNT: 3
  MODE: fast
  EMPTY: ""
  API_KEY: { fromEnv: SECRET_REPORT_API_KEY }
volumes:
  - volume: reports
    path: /data
    readOnly: true
resources: { cpus: 1.5, memory: 512Mi }
timeout: 1h30m
overlap: skip
retries: { limit: 2, backoff: 30s }
labels: { team: data, tier: "2" }
`,
  "numbers, booleans and nulls": `a: 0x1F
b: 0o17
c: 017
d: 1e3
e: .inf
f: -.Inf
g: .nan
h: ~
i: null
j: True
k: FALSE
l: yes
m: 2026-01-01
n: 12:30
o: -1
p: 9007199254740993
`,
  "block scalars and folded plain scalars": `command: |
  echo one
  echo two
entrypoint: >-
  run
  this
note: a plain
  scalar on two lines
kept: |+
  x

`,
  "quoting and escapes": `a: 'it''s'
b: "tab\\there \\u00e9 \\x41"
c: "# not a comment"
d: x#y
`,
  "windows line endings and a byte-order mark": '\ufeffschedule: "@daily"\r\nimage: alpine:3\r\n',
  "document markers": '---\nschedule: "@daily"\nimage: alpine:3\n...\n',
};

/** Constructs where js-yaml and `yaml` part ways, or where only `yaml` enforces a cap. */
const FULL_PARSER_ONLY: Record<string, string> = {
  anchors: "env: &e { A: 1 }\nlabels: *e\n",
  "merge keys": "<<: { schedule: '@daily' }\nimage: alpine:3\n",
  tags: "a: !!float 1\n",
  "local tags": "a: !foo x\n",
  directives: "%YAML 1.2\n---\na: 1\n",
  tabs: "a: |-\n\tx\n",
  "binary numbers": "a: 0b101\n",
  "a sign before a bare fraction": "a: +.5\n",
  "multi-line flow collections": "a: [1,\n2]\n",
  "closers before openers": "a: x ] [\n",
  "multi-line double quotes": 'a: "x\ny"\n',
  "multi-line single quotes": "a: 'x\ny'\n",
  "a comment glued to a quote": 'a: "x"#c\n',
  "a comment glued to an empty string": "a: ''#c\n",
  "two documents": "a: 1\n---\nb: 2\n",
  "duplicate keys": "a: 1\na: 2\n",
  "no mapping": "- a\n- b\n",
  "empty text": "",
  "long keys": `${"k".repeat(1100)}: 1\n`,
};

describe("quickParse", () => {
  test.each(Object.entries(AGREED))("%s: same data as yaml", (_, text) => {
    const quick = quickParse(text);
    expect(quick).toBeDefined();
    expect(quick).toEqual(parseYaml(text));
  });

  test.each(Object.entries(FULL_PARSER_ONLY))("%s: left to yaml", (_, text) => {
    expect(quickParse(text)).toBeUndefined();
  });
});

describe("parseJobFile with the quick path", () => {
  test("a multi-line flow list js-yaml would accept is still yaml's error, placed", () => {
    const result = parseJobFile(
      'schedule: "@daily"\nimage: alpine:3\ncommand: [a,\nb]\n',
      "j.yaml",
      options,
    );
    expect(result.spec).toBeUndefined();
    expect(result.issues[0]).toMatchObject({ severity: "error", rule: "yaml.bad-indent", line: 4 });
  });

  test("aliases still meet the expansion cap", () => {
    const text = `schedule: "@daily"\nimage: alpine:3\nx: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n`;
    const rules = parseJobFile(text, "j.yaml", options).issues.map((i) => i.rule);
    expect(rules).toContain("yaml.aliases");
  });

  test("a file with a finding is placed by yaml: same issues as its full parse", () => {
    const text = 'schedule: "@daily"\nimage: alpine:3\nenv:\n  A: 1\ntimeout: 0s\n';
    expect(parseJobFile(text, "j.yaml", options).issues).toEqual([
      expect.objectContaining({ rule: "duration.range", line: 5, col: 10 }),
    ]);
  });

  test("a duplicate name between quick-path files points at each name value", async () => {
    const job = (pad: string) =>
      `# shared name\nschedule: "@daily"\nname:${pad}"report"\nimage: alpine:3\n`;
    const vol = Volume.fromJSON({ "a.yaml": job(" "), "b.yaml": job("    ") }, "/repo");
    const fs = vol as unknown as Fs;
    const tree = await loadJobTree(["."], { ...options, fs, cwd: "/repo" });
    expect(tree.issues.map((i) => [i.file, i.rule, i.line, i.col])).toEqual([
      ["a.yaml", "name.duplicate", 3, 7],
      ["b.yaml", "name.duplicate", 3, 10],
    ]);
  });
});
