// Valid files for every feature of the format, and the JobSpec each becomes.

import { describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy, type Policy } from "../../src/jobs/policy.js";

const parse = (
  text: string,
  options: { file?: string; policy?: Partial<Policy>; defaultTimezone?: string } = {},
) =>
  parseJobFile(text, options.file ?? "jobs/report.yaml", {
    policy: { ...defaultPolicy(), ...options.policy },
    defaultTimezone: options.defaultTimezone ?? "UTC",
  });

const FULL = `# yaml-language-server: $schema=../schema/job.schema.json
schedule: "0 3 * * MON"
timezone: Europe/Amsterdam
image: ghcr.io/acme/report:1.4.2
entrypoint: ["/bin/sh", "-c"]
command: ["make-report --weekly"]
workingDir: /app
user: "1000:1000"
env:
  LEVEL: info
  RETRIES: 3
  API_KEY: { fromEnv: SECRET_REPORT_API_KEY }
volumes:
  - volume: reports
    path: /data
    readOnly: false
  - hostPath: /srv/exports
    path: /exports
    readOnly: true
resources: { cpus: 0.5, memory: 256Mi }
network: backend
timeout: 15m
overlap: skip
retries: { limit: 2, backoff: 30s }
missed: run-once
startingDeadline: 10m
suspended: true
tty: true
labels: { team: data, tier: 2 }
placement:
  constraints: ["node.role == worker"]
  preferences: [{ spread: node.labels.zone }]
expectSuccessWithin: 7d2h
notify: { on: [failure, recovery] }
`;

describe("a valid job file becomes a normalised JobSpec", () => {
  test("every field of SPEC §1 is carried over, durations in ms and sizes in bytes", () => {
    const result = parse(FULL, { policy: { allowHostPath: ["/srv/exports"] } });
    expect(result.issues).toEqual([]);
    expect(result.spec).toEqual({
      name: "report",
      file: "jobs/report.yaml",
      schedule: "0 3 * * MON",
      timezone: "Europe/Amsterdam",
      image: "ghcr.io/acme/report:1.4.2",
      entrypoint: ["/bin/sh", "-c"],
      command: ["make-report --weekly"],
      workingDir: "/app",
      user: "1000:1000",
      env: {
        LEVEL: { value: "info" },
        RETRIES: { value: "3" },
        API_KEY: { fromEnv: "SECRET_REPORT_API_KEY" },
      },
      volumes: [
        { kind: "volume", volume: "reports", path: "/data", readOnly: false },
        { kind: "hostPath", hostPath: "/srv/exports", path: "/exports", readOnly: true },
      ],
      resources: { cpus: 0.5, memoryBytes: 256 * 1024 * 1024 },
      network: "backend",
      timeoutMs: 15 * 60_000,
      overlap: "skip",
      retries: { limit: 2, backoffMs: 30_000 },
      missed: "run-once",
      startingDeadlineMs: 10 * 60_000,
      suspended: true,
      tty: true,
      labels: { team: "data", tier: "2" },
      placement: {
        constraints: ["node.role == worker"],
        preferences: [{ spread: "node.labels.zone" }],
      },
      expectSuccessWithin: { ms: (7 * 24 + 2) * 3_600_000 }, // a weekly job: longer than its week
      notifyOn: ["failure", "recovery"],
    });
  });

  test("expectSuccessWithin: auto is left for the agent to work out; notify: false sends nothing", () => {
    const { spec, issues } = parse(
      'schedule: "@daily"\nimage: alpine:3\nexpectSuccessWithin: auto\nnotify: false\n',
    );
    expect(issues).toEqual([]);
    expect(spec).toMatchObject({ expectSuccessWithin: { auto: true }, notifyOn: [] });
  });

  test("a minimal job gets the defaults: queue, skip, no retries, not suspended, the agent's zone", () => {
    // tty: false is the default, and leaves no field (specs saved before it stay equal).
    const { spec, issues } = parse('schedule: "@daily"\nimage: alpine:3\ntty: false\n', {
      defaultTimezone: "America/New_York",
    });
    expect(issues).toEqual([]);
    expect(spec).toEqual({
      name: "report",
      file: "jobs/report.yaml",
      schedule: "@daily",
      timezone: "America/New_York",
      image: "alpine:3",
      env: {},
      volumes: [],
      overlap: "queue",
      retries: { limit: 0, backoffMs: 0 },
      missed: "skip",
      suspended: false,
      labels: {},
      notifyOn: ["failure", "recovery", "late", "missed"],
    });
  });

  test("string entrypoint and command are split into words as a shell would", () => {
    const { spec } = parse(
      `schedule: "0 * * * *"\nimage: alpine:3\nentrypoint: /bin/sh -c\ncommand: "echo 'hello world' \\"quoted \\\\\\" too\\" plain\\\\ space"\n`,
    );
    expect(spec?.entrypoint).toEqual(["/bin/sh", "-c"]);
    expect(spec?.command).toEqual(["echo", "hello world", 'quoted " too', "plain space"]);
  });

  test("name: overrides the file name", () => {
    expect(
      parse('name: weekly\nschedule: "@weekly"\nimage: alpine:3\n', { file: "Weekly Job.yml" }).spec
        ?.name,
    ).toBe("weekly");
  });

  test("the name comes from a .yml file's base name", () => {
    expect(
      parse('schedule: "@hourly"\nimage: alpine:3\n', { file: "a/b/db-backup.yml" }).spec?.name,
    ).toBe("db-backup");
  });

  test.each([
    ["five fields with names", "0 9 * JAN-MAR MON-FRI"],
    ["six fields, seconds first, once a minute", "30 0 3 * * *", "seconds: true\n"],
    ["L for the last day of the month", "0 0 L * *"],
    ["# for the second Tuesday", "0 8 * * 2#2"],
    ["7 as Sunday", "0 0 * * 7"],
    ["a step", "*/15 * * * *"],
    ["@yearly", "@yearly"],
    ["@annually", "@annually"],
    ["@monthly", "@monthly"],
    ["@weekly", "@weekly"],
    ["@daily", "@daily"],
    ["@midnight", "@midnight"],
    ["@hourly", "@hourly"],
  ])("schedule: %s", (_, schedule, more = "") => {
    const { spec, issues } = parse(`schedule: "${schedule}"\nimage: alpine:3\n${more}`);
    expect(issues).toEqual([]);
    expect(spec?.schedule).toBe(schedule);
  });

  test("memory as plain bytes, as M and as Gi", () => {
    const memory = (m: string) =>
      parse(`schedule: "@daily"\nimage: alpine:3\nresources: { memory: ${m} }\n`).spec?.resources
        ?.memoryBytes;
    expect(memory("268435456")).toBe(268_435_456);
    expect(memory("512M")).toBe(512_000_000);
    expect(memory("1Gi")).toBe(1024 ** 3);
  });

  test("an image pinned by digest, with a registry port", () => {
    const image = `localhost:5000/team/tool:v1@sha256:${"a".repeat(64)}`;
    expect(parse(`schedule: "@daily"\nimage: ${image}\n`).spec?.image).toBe(image);
  });

  test("anchors and aliases share a block within the cap", () => {
    const { spec, issues } = parse(
      'schedule: "@daily"\nimage: alpine:3\nlabels: &common { team: data }\nenv:\n  <<: *common\n  LEVEL: debug\n',
    );
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(spec?.labels).toEqual({ team: "data" });
    expect(spec?.env).toEqual({ team: { value: "data" }, LEVEL: { value: "debug" } });
  });

  test("the restricted policy accepts a non-root user", () => {
    const { spec, issues } = parse('schedule: "@daily"\nimage: alpine:3\nuser: 65534\n', {
      policy: { level: "restricted" },
    });
    expect(issues).toEqual([]);
    expect(spec?.user).toBe("65534");
  });

  test("fromEnv follows the agent's own --secret-env patterns", () => {
    const text = 'schedule: "@daily"\nimage: alpine:3\nenv:\n  TOKEN: { fromEnv: JOB_TOKEN }\n';
    expect(parse(text, { policy: { secretEnv: ["JOB_*", "SECRET_*"] } }).issues).toEqual([]);
    expect(parse(text).issues.map((i) => i.rule)).toEqual(["policy.fromEnv"]);
  });

  test("{JOB} in a --secret-env pattern is the job's own name, upper-cased with _ for -", () => {
    const text = (variable: string) =>
      `schedule: "@daily"\nimage: alpine:3\nenv:\n  KEY: { fromEnv: ${variable} }\n`;
    const policy = { secretEnv: ["SECRET_{JOB}_*"] };
    const file = "jobs/nightly-report.yaml";
    expect(parse(text("SECRET_NIGHTLY_REPORT_KEY"), { file, policy }).issues).toEqual([]);
    expect(parse(text("SECRET_BACKUP_KEY"), { file, policy }).issues.map((i) => i.rule)).toEqual([
      "policy.fromEnv",
    ]);
    // Under {JOB}, * is one word: the hint offers a name that matches.
    const multiWord = parse(text("SECRET_NIGHTLY_REPORT_DB_KEY"), { file, policy }).issues;
    expect(multiWord.map((i) => i.hint)).toEqual([
      expect.stringContaining(
        "e.g. SECRET_NIGHTLY_REPORT_KEY (in a pattern with {JOB}, * is one word",
      ),
    ]);
  });

  test("a host path equal to an --allow-host-path entry is allowed, trailing slash or not", () => {
    const text =
      'schedule: "@daily"\nimage: alpine:3\nvolumes:\n  - { hostPath: /srv/x/, path: /x }\n';
    expect(parse(text, { policy: { allowHostPath: ["/srv/x"] } }).issues).toEqual([]);
  });
});

describe("warnings do not refuse a job", () => {
  test("a schedule that fires every second warns that six fields mean seconds first", () => {
    const { spec, issues } = parse('image: alpine:3\nschedule: "* * * * * *"\n');
    expect(spec).toBeDefined();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      severity: "warning",
      rule: "cron.seconds",
      line: 2,
      col: 11,
    });
    expect(issues[0]?.message).toMatch(
      /^fires every second — six fields mean seconds first: next /,
    );
  });
});

describe("six fields state their reading with seconds: true (issue 26, item 1)", () => {
  const SUPERCRONIC = 'image: alpine:3\nschedule: "30 2 * * * *"\n';

  test("without it, a supercronic line is one warning with both readings", () => {
    const { spec, issues } = parse(SUPERCRONIC);
    expect(spec?.schedule).toBe("30 2 * * * *");
    expect(issues).toEqual([
      expect.objectContaining({
        severity: "warning",
        rule: "cron.seconds",
        line: 2,
        col: 11,
        message: expect.stringMatching(
          /^six fields mean seconds first: next \S+:02:30\+00:00, \S+:02:30\+00:00; supercronic reads the sixth field as a year: next \S+T02:30:00\+00:00, \S+T02:30:00\+00:00$/,
        ),
        hint: expect.stringContaining('write five fields: "30 2 * * *"'),
      }),
    ]);
  });

  test("with it, the seconds reading is taken as meant: no warning unless it fires that often", () => {
    expect(parse(`${SUPERCRONIC}seconds: true\n`).issues).toEqual([]);
    const fast = parse('image: alpine:3\nschedule: "*/10 * * * * *"\nseconds: true\n');
    expect(fast.issues.map((i) => [i.rule, i.message])).toEqual([
      ["cron.frequent", "fires every 10 seconds — six fields mean seconds first"],
    ]);
  });

  test("seconds that contradict the schedule are errors on seconds", () => {
    const five = parse('image: alpine:3\nschedule: "@daily"\nseconds: true\n');
    expect(five.spec).toBeUndefined();
    expect(five.issues).toEqual([
      expect.objectContaining({ severity: "error", rule: "cron.seconds", line: 3, col: 10 }),
    ]);
    const six = parse(`${SUPERCRONIC}seconds: false\n`);
    expect(six.spec).toBeUndefined();
    expect(six.issues).toEqual([
      expect.objectContaining({
        rule: "cron.seconds",
        message: "seconds: false, but the schedule has six fields",
      }),
    ]);
    expect(parse('image: alpine:3\nschedule: "30 2 * * *"\nseconds: false\n').issues).toEqual([]);
  });
});
