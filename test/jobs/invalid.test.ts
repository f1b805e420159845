// Every way a job file can be wrong, each with the exact place and rule a user is shown.

import { describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy, type Policy } from "../../src/jobs/policy.js";

const BASE = 'schedule: "0 3 * * *"\nimage: alpine:3\n';
/** A job mounting `hostPath`; the path's value is at 4:15. */
const mounting = (hostPath: string) =>
  `${BASE}volumes:\n  - hostPath: ${hostPath}\n    path: /mnt\n`;

interface Case {
  name: string;
  text: string;
  line: number;
  col: number;
  rule: string;
  file?: string;
  policy?: Partial<Policy>;
  maxBytes?: number;
  /** A word the message must contain, where the wording matters to a user. */
  says?: string;
}

const cases: Case[] = [
  // --- YAML itself
  { name: "an empty file", text: "", line: 1, col: 1, rule: "yaml.empty" },
  {
    name: "a file with only comments",
    text: "# nothing yet\n",
    line: 1,
    col: 1,
    rule: "yaml.empty",
  },
  {
    name: "a duplicated key",
    text: `${BASE}image: busybox\n`,
    line: 3,
    col: 1,
    rule: "yaml.duplicate-key",
  },
  {
    name: "an unquoted schedule starting with * (a YAML alias)",
    text: "image: alpine:3\nschedule: */15 * * * *\n",
    line: 2,
    col: 16,
    rule: "yaml.unexpected-token",
  },
  {
    name: "a second YAML document",
    text: `${BASE}---\n${BASE}`,
    line: 3,
    col: 1,
    rule: "yaml.documents",
  },
  {
    name: "bad indentation",
    text: `${BASE}env:\n  A: x\n B: y\n`,
    line: 5,
    col: 1,
    rule: "yaml.bad-indent",
  },
  {
    name: "a file above the size cap",
    text: `${BASE}# ${"x".repeat(200)}\n`,
    maxBytes: 100,
    line: 1,
    col: 1,
    rule: "file.size",
  },
  {
    name: "aliases that expand too far",
    text: `${BASE}labels:\n  a: &a x\n${Array.from({ length: 120 }, (_, i) => `  l${i}: *a`).join("\n")}\n`,
    line: 1,
    col: 1,
    rule: "yaml.aliases",
  },
  // --- schema: shape
  {
    name: "a list instead of a mapping",
    text: "- schedule: x\n",
    line: 1,
    col: 1,
    rule: "schema.type",
  },
  {
    name: "a missing schedule (the mapping's line)",
    text: "# job\nimage: alpine:3\n",
    line: 2,
    col: 1,
    rule: "schema.required",
    says: '"schedule"',
  },
  {
    name: "a missing image",
    text: 'schedule: "0 3 * * *"\n',
    line: 1,
    col: 1,
    rule: "schema.required",
    says: '"image"',
  },
  {
    name: "a misspelt field",
    text: `${BASE}timout: 5m\n`,
    line: 3,
    col: 1,
    rule: "schema.unknown",
    says: "timout",
  },
  {
    name: "an unknown nested field",
    text: `${BASE}retries:\n  limit: 2\n  count: 3\n`,
    line: 5,
    col: 3,
    rule: "schema.unknown",
  },
  {
    name: "an image reference with capitals",
    text: 'schedule: "0 3 * * *"\nimage: Alpine:3\n',
    line: 2,
    col: 8,
    rule: "schema.pattern",
  },
  {
    name: "a name that is not a DNS label",
    text: `${BASE}name: Nightly_Report\n`,
    line: 3,
    col: 7,
    rule: "schema.pattern",
    says: "DNS label",
  },
  {
    name: "a relative workingDir",
    text: `${BASE}workingDir: app\n`,
    line: 3,
    col: 13,
    rule: "schema.pattern",
  },
  {
    name: "a timeout in words",
    text: `${BASE}timeout: 5 minutes\n`,
    line: 3,
    col: 10,
    rule: "schema.pattern",
    says: "not a duration",
  },
  {
    name: "a memory size in words",
    text: `${BASE}resources:\n  memory: lots\n`,
    line: 4,
    col: 11,
    rule: "schema.pattern",
  },
  {
    name: "zero CPUs",
    text: `${BASE}resources: { cpus: 0 }\n`,
    line: 3,
    col: 20,
    rule: "schema.exclusiveMinimum",
  },
  {
    name: "an unknown overlap",
    text: `${BASE}overlap: never\n`,
    line: 3,
    col: 10,
    rule: "schema.enum",
  },
  {
    name: "an unknown missed policy",
    text: `${BASE}missed: always\n`,
    line: 3,
    col: 9,
    rule: "schema.enum",
  },
  {
    name: "suspended: yes (a string in YAML 1.2)",
    text: `${BASE}suspended: yes\n`,
    line: 3,
    col: 12,
    rule: "schema.type",
  },
  {
    name: "a negative retry limit",
    text: `${BASE}retries: { limit: -1 }\n`,
    line: 3,
    col: 19,
    rule: "schema.minimum",
  },
  {
    name: "an env name with a dash",
    text: `${BASE}env:\n  bad-name: x\n`,
    line: 4,
    col: 3,
    rule: "schema.propertyNames",
  },
  {
    name: "an env value that is a list",
    text: `${BASE}env:\n  A: [1, 2]\n`,
    line: 4,
    col: 6,
    rule: "schema.type",
  },
  {
    name: "an extra key next to fromEnv",
    text: `${BASE}env:\n  A: { fromEnv: SECRET_A, default: x }\n`,
    line: 4,
    col: 27,
    rule: "schema.unknown",
  },
  {
    name: "a volume without a path (the item's line)",
    text: `${BASE}volumes:\n  - volume: data\n`,
    line: 4,
    col: 5,
    rule: "schema.required",
  },
  {
    name: "a relative mount path",
    text: `${BASE}volumes:\n  - volume: data\n    path: data\n`,
    line: 5,
    col: 11,
    rule: "schema.pattern",
  },
  {
    name: "an empty command list",
    text: `${BASE}command: []\n`,
    line: 3,
    col: 10,
    rule: "schema.minItems",
  },
  {
    name: "a container network mode",
    text: `${BASE}network: "container:db"\n`,
    line: 3,
    col: 10,
    rule: "schema.pattern",
  },
  {
    name: "a placement preference without spread",
    text: `${BASE}placement:\n  preferences:\n    - {}\n`,
    line: 5,
    col: 7,
    rule: "schema.required",
  },
  // --- rules the schema cannot say
  {
    name: "an hour out of range",
    text: 'image: alpine:3\nschedule: "0 25 * * *"\n',
    line: 2,
    col: 11,
    rule: "cron.syntax",
  },
  {
    name: "a year as sixth field",
    text: 'image: alpine:3\nschedule: "0 0 1 1 * 2027"\n',
    line: 2,
    col: 11,
    rule: "cron.years",
    says: "years are not supported",
  },
  {
    name: "an unknown macro",
    text: 'image: alpine:3\nschedule: "@fortnightly"\n',
    line: 2,
    col: 11,
    rule: "cron.macro",
  },
  {
    name: "an unknown time zone",
    text: `${BASE}timezone: Europe/Amsterdamm\n`,
    line: 3,
    col: 11,
    rule: "timezone.unknown",
  },
  {
    name: "a zero timeout",
    text: `${BASE}timeout: 0s\n`,
    line: 3,
    col: 10,
    rule: "duration.range",
  },
  {
    name: "a memory size without a unit",
    text: `${BASE}resources: { memory: 256 }\n`,
    line: 3,
    col: 22,
    rule: "resources.memory",
    says: "6 MiB",
  },
  {
    name: "an unterminated quote in a command",
    text: `${BASE}command: sh -c 'echo hi\n`,
    line: 3,
    col: 10,
    rule: "command.quote",
  },
  {
    name: "a file name that is not a DNS label",
    text: BASE,
    file: "jobs/Nightly Report.yaml",
    line: 1,
    col: 1,
    rule: "name.invalid",
  },
  {
    name: "a reserved gitcron.* label",
    text: `${BASE}labels:\n  gitcron.job: other\n`,
    line: 4,
    col: 3,
    rule: "labels.reserved",
  },
  // --- the policy of SPEC §4
  {
    name: "privileged: true",
    text: `${BASE}privileged: true\n`,
    line: 3,
    col: 1,
    rule: "policy.privileged",
    says: "privileged",
  },
  {
    name: "added capabilities",
    text: `${BASE}capAdd: [SYS_ADMIN]\n`,
    line: 3,
    col: 1,
    rule: "policy.capabilities",
  },
  {
    name: "the host's PID namespace",
    text: `${BASE}pid: host\n`,
    line: 3,
    col: 1,
    rule: "policy.hostNamespace",
  },
  {
    name: "the host's network",
    text: `${BASE}network: host\n`,
    line: 3,
    col: 10,
    rule: "policy.network",
  },
  {
    name: "a host path with no --allow-host-path",
    text: mounting("/srv/exports"),
    line: 4,
    col: 15,
    rule: "policy.hostPath",
  },
  {
    name: "a host path outside the allowed folders",
    text: mounting("/srv/exports2"),
    policy: { allowHostPath: ["/srv/exports"] },
    line: 4,
    col: 15,
    rule: "policy.hostPath",
  },
  {
    name: "the Docker socket, even under an allowed folder",
    text: mounting("/var/run/docker.sock"),
    policy: { allowHostPath: ["/var/run"] },
    line: 4,
    col: 15,
    rule: "policy.hostPath",
    says: "Docker socket",
  },
  {
    name: "a folder holding /var/lib/docker",
    text: mounting("/var/lib"),
    policy: { allowHostPath: ["/var"] },
    line: 4,
    col: 15,
    rule: "policy.hostPath",
  },
  {
    name: "/etc reached through ..",
    text: mounting("/srv/exports/../../etc"),
    policy: { allowHostPath: ["/srv/exports"] },
    line: 4,
    col: 15,
    rule: "policy.hostPath",
  },
  {
    name: "the host's root",
    text: mounting("/"),
    policy: { allowHostPath: ["/"] },
    line: 4,
    col: 15,
    rule: "policy.hostPath",
  },
  {
    name: "fromEnv outside --secret-env",
    text: `${BASE}env:\n  HOME_DIR: { fromEnv: HOME }\n`,
    line: 4,
    col: 24,
    rule: "policy.fromEnv",
    says: "SECRET_*",
  },
  {
    name: "fromEnv naming a GITCRON_* setting",
    text: `${BASE}env:\n  T: { fromEnv: GITCRON_API_TOKEN }\n`,
    policy: { secretEnv: ["*"] },
    line: 4,
    col: 17,
    rule: "policy.fromEnv",
    says: "GITCRON_",
  },
  {
    name: "restricted: no user",
    text: `# job\n${BASE}`,
    policy: { level: "restricted" },
    line: 2,
    col: 1,
    rule: "policy.user",
  },
  {
    name: "restricted: the root user",
    text: `${BASE}user: "0:0"\n`,
    policy: { level: "restricted" },
    line: 3,
    col: 7,
    rule: "policy.user",
  },
];

describe("an invalid job file is refused at the key or value at fault", () => {
  test.each(cases)("$name → $line:$col $rule", (c) => {
    const policy = { ...defaultPolicy(), ...c.policy };
    const file = c.file ?? "jobs/job.yaml";
    const result = parseJobFile(c.text, file, {
      policy,
      defaultTimezone: "UTC",
      maxBytes: c.maxBytes,
    });
    const errors = result.issues.filter((i) => i.severity === "error");
    expect(errors.map(({ line, col, rule }) => ({ line, col, rule }))).toEqual([
      { line: c.line, col: c.col, rule: c.rule },
    ]);
    expect(errors[0]?.file).toBe(file);
    if (c.says) expect(errors[0]?.message).toContain(c.says);
    expect(result.spec).toBeUndefined();
  });

  test("the table covers at least 30 distinct failures", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBeGreaterThanOrEqual(30);
  });
});

describe("hints say what to do", () => {
  const first = (text: string) =>
    parseJobFile(text, "job.yaml", { policy: defaultPolicy(), defaultTimezone: "UTC" }).issues[0];

  test("a typo suggests the field it most likely meant", () => {
    expect(first(`${BASE}working_dir: /app\n`)?.hint).toBe('did you mean "workingDir"?');
    expect(first(`${BASE}shedule: x\n`)?.hint).toBe('did you mean "schedule"?');
  });

  test("privileged explains that gitcron never runs privileged containers", () => {
    expect(first(`${BASE}privileged: true\n`)?.hint).toMatch(/never runs privileged containers/);
  });

  test("an unquoted * schedule tells the user to quote it", () => {
    expect(first("image: x\nschedule: */5 * * * *\n")?.hint).toMatch(/quote it/);
  });

  test("several errors in one file are all reported, in place", () => {
    const issues = parseJobFile(
      `${BASE}overlap: never\nnetwork: host\ntimeout: soon\n`,
      "job.yaml",
      {
        policy: defaultPolicy(),
        defaultTimezone: "UTC",
      },
    ).issues;
    expect(issues.map((i) => `${i.line}:${i.rule}`).sort()).toEqual([
      "3:schema.enum",
      "4:policy.network",
      "5:schema.pattern",
    ]);
  });
});

describe("type errors name what was expected and what was found", () => {
  test("an empty env value lists the accepted kinds", () => {
    const [issue] = parseJobFile(`${BASE}env:\n  A:\n`, "job.yaml", {
      policy: defaultPolicy(),
      defaultTimezone: "UTC",
    }).issues;
    expect(issue).toMatchObject({ line: 4, col: 5, rule: "schema.type" });
    expect(issue?.message).toBe(
      "env.A must be a string, a number, true or false or a mapping, not empty",
    );
  });
});
