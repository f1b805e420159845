// A crontab, supercronic's README example first: each line one job in the --image, through the
// crontab's shell, with its environment and what cron did that gitcron does not.

import { describe, expect, test } from "vitest";
import { comments, importFixture, importText } from "./helpers.js";

const image = "alpine:3.20";

describe("supercronic's README crontab", () => {
  const { jobs, issues } = importFixture("supercronic-readme.crontab", { image });

  test("each line is a job named after its command, run by the shell", () => {
    expect(jobs.map((j) => [j.name, j.source.at.line])).toEqual([
      ["echo-hello", 3],
      ["ls", 6],
      ["echo", 9],
    ]);
    expect(jobs[0]?.data).toEqual({
      schedule: "*/1 * * * *",
      image,
      entrypoint: ["/bin/sh", "-c"],
      command: ['echo "hello"'],
    });
    expect(jobs[2]?.data).toMatchObject({
      schedule: "@hourly",
      command: ['echo "$SOME_HOURLY_JOB"'],
    });
  });

  test("seven fields are seconds … year: the year * is dropped, the seconds kept", () => {
    expect(jobs[1]?.data).toMatchObject({ schedule: "*/2 * * * * *", seconds: true });
    expect(comments(jobs[1]?.text ?? "")).toContain(
      'supercronic: "*/2 * * * * * *" (seconds … year); the year "*" is dropped',
    );
  });

  test("the file says where the job came from and in which zone supercronic read it", () => {
    const text = comments(jobs[0]?.text ?? "");
    expect(text).toContain(
      "from supercronic-readme.crontab:3, a crontab line read as supercronic reads it",
    );
    expect(text).toContain('*/1 * * * * echo "hello"');
    expect(text).toContain("supercronic read the schedule in its container's zone");
    expect(text).toContain("given with --image");
  });

  test("only the every-two-seconds job gets the validator's warning", () => {
    expect(issues.map((i) => [i.line, i.severity, i.rule])).toEqual([
      [6, "warning", "cron.frequent"],
    ]);
  });
});

describe("environment and cron's own settings", () => {
  const crontab = [
    "SHELL=/bin/bash",
    "MAILTO=ops@example.com",
    "CRON_TZ=Europe/Amsterdam",
    'GREETING="hello world"',
    "30 2 * * * echo $GREETING % done",
    "LATE=1",
    "0 4 * * * nightly.sh",
  ].join("\n");
  const { jobs, issues } = importText(crontab, "crontab", { image });

  test("assignments above a line are its environment; SHELL and CRON_TZ are not", () => {
    expect(issues).toEqual([]);
    expect(jobs[0]?.data).toEqual({
      schedule: "30 2 * * *",
      timezone: "Europe/Amsterdam",
      image,
      entrypoint: ["/bin/bash", "-c"],
      command: ["echo $GREETING % done"],
      env: { GREETING: "hello world" },
    });
    expect(jobs[1]?.data).toMatchObject({ env: { GREETING: "hello world", LATE: "1" } });
  });

  test("MAILTO, a later assignment and Vixie's % are each said in a comment", () => {
    const text = comments(jobs[0]?.text ?? "");
    expect(text).toContain("MAILTO=ops@example.com: cron mailed each run's output");
    expect(text).toMatch(/supercronic also gives this job LATE/);
    expect(text).toContain("Vixie cron turns an unescaped % into a new line");
    expect(comments(jobs[1]?.text ?? "")).not.toContain("supercronic also gives");
  });
});

test("two jobs with the same command get names of their own", () => {
  const { jobs } = importText("0 1 * * * backup.sh\n0 2 * * * backup.sh\n", "crontab", { image });
  expect(jobs.map((j) => j.name)).toEqual(["backup-sh", "backup-sh-2"]);
});

describe("lines that cannot come over are refused at their line", () => {
  test("a year, @reboot and a line that is no crontab line", () => {
    const { jobs, issues } = importText(
      "0 3 * * * 2027 once.sh\n@reboot start.sh\nnot a crontab line\n0 5 * * * ok.sh\n",
      "crontab",
      { image },
    );
    expect(jobs.map((j) => j.name)).toEqual(["ok-sh"]);
    expect(issues.map((i) => [i.line, i.col, i.severity, i.rule])).toEqual([
      [1, 1, "error", "import.schedule"],
      [2, 1, "error", "cron.macro"],
      [3, 1, "error", "import.crontab"],
    ]);
  });

  test("an image the schema refuses makes every job invalid, said at each line", () => {
    const { jobs, issues } = importText("0 5 * * * ok.sh\n", "crontab", { image: "Not An Image" });
    expect(jobs).toEqual([]);
    expect(issues).toMatchObject([{ line: 1, severity: "error", rule: "schema.pattern" }]);
  });

  test("a crontab without --image is a usage error", () => {
    expect(() => importText("0 5 * * * ok.sh\n", "crontab")).toThrow(/give --image IMAGE/);
  });
});
