// Ofelia's documented examples, INI and labels: job-run comes over with its settings, job-exec
// and job-local are refused at their section, and every other setting is named in a comment.

import { describe, expect, test } from "vitest";
import { comments, importFixture, importText } from "./helpers.js";

const printWriteDate = {
  schedule: "*/5 * * * * *",
  seconds: true,
  image: "alpine:latest",
  command: "sh -c 'date | tee -a /tmp/test/date'",
  env: { FOO: "bar" },
  volumes: [{ hostPath: "/tmp/test", path: "/tmp/test" }],
};

describe("Ofelia's README INI", () => {
  const { jobs, issues } = importFixture("ofelia-readme.ini");

  test("job-run and job-service-run come over", () => {
    expect(jobs.map((j) => [j.name, j.data])).toEqual([
      [
        "job-executed-on-new-container",
        { schedule: "@hourly", image: "ubuntu:latest", command: "touch /tmp/example" },
      ],
      [
        "service-executed-on-new-container",
        {
          schedule: "0,20,40 * * * *",
          image: "ubuntu",
          command: "touch /tmp/example",
          network: "swarm_network",
        },
      ],
    ]);
    expect(comments(jobs[1]?.text ?? "")).toContain("run the agent with --runtime swarm");
  });

  test("job-exec and job-local are refused at their section, with what to do", () => {
    expect(issues.map((i) => [i.line, i.col, i.severity, i.rule])).toEqual([
      [2, 1, "error", "import.ofelia"],
      [12, 1, "error", "import.ofelia"],
    ]);
    expect(issues[0]?.message).toBe(
      'job-exec "job-executed-on-running-container" runs its command inside a running container; gitcron has no equivalent: not imported',
    );
    expect(issues[1]?.hint).toMatch(/put the command in an image/);
  });

  test("Ofelia's overlapping runs and its zone are said in comments", () => {
    const text = comments(jobs[0]?.text ?? "");
    expect(text).toContain(
      'from ofelia-readme.ini:7, Ofelia\'s job-run "job-executed-on-new-container" (INI)',
    );
    expect(text).toContain("Ofelia starts a run even while the last one is going");
    expect(text).toContain("Ofelia read the schedule in its container's zone");
  });
});

describe("Ofelia's job-run reference example", () => {
  test("as INI: @every 5s, the host folder and env", () => {
    const { jobs } = importFixture("ofelia-jobs-run.ini");
    expect(jobs.map((j) => [j.name, j.data])).toEqual([["print-write-date", printWriteDate]]);
    const text = comments(jobs[0]?.text ?? "");
    expect(text).toContain('was "@every 5s", counted from when the scheduler started');
    expect(text).toContain("--allow-host-path /tmp/test");
  });

  test("as labels (docker inspect's Config.Labels): the same job", () => {
    const { jobs, issues } = importFixture("ofelia-jobs-run-labels.yaml");
    expect(jobs.map((j) => [j.name, j.data])).toEqual([["print-write-date", printWriteDate]]);
    expect(issues.map((i) => i.rule)).toEqual(["cron.frequent"]);
  });

  test("labels in a Compose file's list, JSON arrays and docker inspect's array", () => {
    const compose = [
      "services:",
      "  ofelia:",
      "    image: mcuadros/ofelia:latest",
      "    labels:",
      '      - "ofelia.job-run.backup.schedule=0 0 2 * * *"',
      '      - "ofelia.job-run.backup.image=postgres:16"',
      `      - 'ofelia.job-run.backup.environment=["PGHOST=db", "PGUSER=backup"]'`,
      "      - ofelia.job-run.backup.no-overlap=true",
      "      - ofelia.slack-webhook=https://hooks.example/x",
    ].join("\n");
    const { jobs } = importText(compose, "compose.yaml");
    expect(jobs[0]?.data).toEqual({
      schedule: "0 2 * * *",
      image: "postgres:16",
      env: { PGHOST: "db", PGUSER: "backup" },
      overlap: "skip",
    });
    const text = comments(jobs[0]?.text ?? "");
    expect(text).toContain("was no-overlap = true");
    expect(text).toContain("Ofelia's mail, Slack and save middlewares");
    const inspect = JSON.stringify([
      {
        Config: {
          Labels: {
            "ofelia.job-run.tick.schedule": "@hourly",
            "ofelia.job-run.tick.image": "busybox",
          },
        },
      },
    ]);
    expect(importText(inspect, "inspect.json").jobs.map((j) => j.data)).toEqual([
      { schedule: "@hourly", image: "busybox" },
    ]);
  });
});

describe("settings with no equivalent, and jobs that cannot come over", () => {
  const ini = [
    "[global]",
    "smtp-host = mail.example",
    "",
    '[job-run "report"]',
    "schedule = CRON_TZ=Europe/Amsterdam 0 30 6 * * MON-FRI ; weekdays",
    'image = "ghcr.io/acme/report:1.4"',
    "user = 1000",
    "delete = false",
    "tty = true",
    "hostname = reporter",
    "max-runtime = 1h30m",
    "",
    '[job-run "every-seven"]',
    "schedule = @every 7m",
    "image = alpine",
    "",
    '[job-run "restart-existing"]',
    "schedule = @daily",
    "container = nginx",
  ].join("\n");
  const { jobs, issues } = importText(ini, "ofelia.ini");

  test("each is a comment; the zone prefix, quotes, inline comments and max-runtime are read", () => {
    expect(jobs.map((j) => [j.name, j.data])).toEqual([
      [
        "report",
        {
          schedule: "30 6 * * MON-FRI",
          timezone: "Europe/Amsterdam",
          image: "ghcr.io/acme/report:1.4",
          user: "1000",
          timeout: "1h30m",
          tty: true,
        },
      ],
    ]);
    const text = comments(jobs[0]?.text ?? "");
    expect(text).toContain("delete = false: gitcron always removes a run's container");
    expect(jobs[0]?.text).toContain(
      "# was tty = true: one stream, in the order written\ntty: true\n",
    );
    expect(text).toContain("hostname = reporter: no gitcron equivalent");
    expect(text).toContain("Ofelia's mail, Slack and save middlewares");
  });

  test("an @every that divides no minute, hour or day, and a job-run with no image, are refused at their line", () => {
    expect(issues.map((i) => [i.line, i.rule, i.message])).toEqual([
      [14, "import.schedule", expect.stringContaining('"@every 7m" has no cron equivalent')],
      [19, "import.ofelia", expect.stringContaining('starts the existing container "nginx"')],
    ]);
  });
});
