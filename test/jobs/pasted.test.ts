// Configs pasted from Kubernetes, Ofelia, Compose and supercronic (issue 26, item 14): each
// shape is told in one finding what to write instead, and the allowed fields are listed once.

import { describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { sortIssues } from "../../src/jobs/render.js";

const parse = (text: string) =>
  parseJobFile(text, "job.yaml", { policy: defaultPolicy(), defaultTimezone: "UTC" });
const BASE = 'schedule: "0 3 * * *"\nimage: alpine:3\n';

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: db-backup
spec:
  schedule: "0 3 * * *"
  timeZone: Europe/Amsterdam
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 600
  jobTemplate:
    spec:
      backoffLimit: 3
      activeDeadlineSeconds: 3600
      template:
        spec:
          containers:
            - name: backup
              image: postgres:16
              command: ["pg_dump", "-f", "/backup/db.sql"]
              env:
                - name: PGPASSWORD
                  valueFrom:
                    secretKeyRef: { name: pg, key: password }
          restartPolicy: OnFailure
`;

describe("another tool's whole file is one finding that says what to write", () => {
  test("a Kubernetes CronJob manifest: its settings as job fields", () => {
    expect(parse(CRONJOB).issues).toEqual([
      {
        file: "job.yaml",
        line: 2,
        col: 7,
        severity: "error",
        rule: "format.kubernetes",
        message: "this is a Kubernetes CronJob manifest, not a gitcron job file",
        hint:
          'write one flat job file: schedule: "0 3 * * *", timezone: Europe/Amsterdam, image: postgres:16, ' +
          "overlap: skip (concurrencyPolicy: Forbid), startingDeadline: 10m, retries: { limit: 3 }, timeout: 1h; " +
          "the container's command is entrypoint, its args command; " +
          "a value from a Secret is { fromEnv: SECRET_… }, read from the agent",
      },
    ]);
  });

  test("another Kubernetes kind, a Compose file with Ofelia labels, a crontab line", () => {
    const job = parse("apiVersion: batch/v1\nkind: Job\nspec: {}\n").issues;
    expect(job.map((i) => [i.rule, i.message])).toEqual([
      ["format.kubernetes", "this is a Kubernetes Job manifest, not a gitcron job file"],
    ]);
    const compose = parse(
      'services:\n  backup:\n    image: postgres:16\n    labels:\n      ofelia.job-run.backup.schedule: "@every 1h"\n',
    ).issues;
    expect(compose).toEqual([
      expect.objectContaining({
        line: 2,
        col: 3,
        rule: "format.compose",
        hint: expect.stringContaining("give each Ofelia job-run a job file of its own"),
      }),
    ]);
    expect(parse("0 3 * * * /usr/local/bin/backup.sh\n").issues).toEqual([
      expect.objectContaining({
        rule: "schema.type",
        hint: expect.stringMatching(
          /^a crontab line is not a job file: write schedule: "0 3 \* \* \*"/,
        ),
      }),
    ]);
  });
});

describe("another tool's spelling of a field says ours", () => {
  test.each([
    ["overlap: Forbid", "write overlap: skip (Kubernetes' concurrencyPolicy: Forbid)"],
    ["overlap: Replace", "write overlap: replace (Kubernetes' concurrencyPolicy: Replace)"],
    [
      "overlap: Allow",
      "write overlap: queue (gitcron never runs two at once; the default, queue, waits)",
    ],
    ["overlap: Skip", "write overlap: skip (values are lowercase)"],
    ["missed: RunOnce", "write missed: run-once (values are lowercase)"],
    ["notify: { on: [Failure] }", "write failure (values are lowercase)"],
    ["retries: 3", "write retries: { limit: 3 } (and backoff: 30s to wait between attempts)"],
    ["concurrencyPolicy: Forbid", "write overlap: skip (Kubernetes' concurrencyPolicy: Forbid)"],
    ["startingDeadlineSeconds: 600", "write startingDeadline: 10m"],
    ["activeDeadlineSeconds: 5400", "write timeout: 1h30m"],
    ["backoffLimit: 4", "write retries: { limit: 4 }"],
    ["suspend: true", "write suspended: true"],
    ["no-overlap: true", "write overlap: skip (Ofelia's no-overlap)"],
    ["environment:\n  A: b", "write env: a mapping of names to values (env: { LEVEL: info })"],
    ["mem_limit: 512m", "write resources: { memory: 512Mi }"],
    [
      "args: [--full]",
      "write command: Kubernetes' args are the command, its command is entrypoint",
    ],
    [
      "env:\n  - name: PGPASSWORD\n    value: x",
      "env is a mapping of names to values: env: { PGPASSWORD: … }, or PGPASSWORD: { fromEnv: SECRET_… } for a secret",
    ],
    [
      "env: [A=b]",
      "env is a mapping of names to values: env: { A: … }, or A: { fromEnv: SECRET_… } for a secret",
    ],
    [
      'volumes: ["/srv/backups:/backup:ro"]',
      "write - { hostPath: /srv/backups, path: /backup, readOnly: true }",
    ],
    [
      'volumes: ["pgdata:/var/lib/postgresql"]',
      "write - { volume: pgdata, path: /var/lib/postgresql }",
    ],
  ])("%s", (line, hint) => {
    const { issues } = parse(`${BASE}${line}\n`);
    expect(issues.map((i) => [i.severity, i.hint])).toEqual([["error", hint]]);
  });
});

describe("the allowed fields are listed once per file and mapping", () => {
  test("later unknown fields point back to the line of the list", () => {
    const { issues } = parse(`${BASE}foo: 1\nbar: 2\nresources: { disk: 1, swap: 2 }\nbaz: 3\n`);
    expect(sortIssues(issues).map((i) => `${i.line}: ${i.message} — ${i.hint}`)).toEqual([
      expect.stringMatching(/^3: unknown field "foo" — allowed fields: name, schedule, /),
      '4: unknown field "bar" — see the allowed fields listed on line 3',
      '5: unknown field "disk" in resources — allowed fields of resources: cpus, memory',
      '5: unknown field "swap" in resources — see the allowed fields of resources listed on line 5',
      '6: unknown field "baz" — see the allowed fields listed on line 3',
    ]);
  });
});
