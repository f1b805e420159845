// `gitcron next` run as a user runs it: the built binary, real job files, exit codes.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gitcron } from "../helpers/cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gitcron-next-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const next = (args: string[]) => gitcron(["next", ...args], { cwd: dir });

const lines = (text: string) => text.trimEnd().split("\n");

describe("a schedule on the command line", () => {
  test("prints five fire times by default, one a line, ISO 8601 with the zone's offset", async () => {
    const ran = await next([
      "30 2 * * *",
      "--timezone",
      "Europe/Amsterdam",
      "--from",
      "2026-03-27",
    ]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(lines(ran.stdout)).toEqual([
      "2026-03-27T02:30:00+01:00",
      "2026-03-28T02:30:00+01:00",
      "2026-03-29T03:30:00+02:00", // 02:30 does not exist that night: once, after the jump
      "2026-03-30T02:30:00+02:00",
      "2026-03-31T02:30:00+02:00",
    ]);
  });

  test("-n and --count choose how many; a repeated 01:30 in New York fires once", async () => {
    const args = ["30 1 * * *", "--timezone", "America/New_York", "--from", "2026-10-31T12:00:00Z"];
    const short = await next([...args, "-n", "2"]);
    const long = await next([...args, "--count", "2"]);
    expect(lines(short.stdout)).toEqual(["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]);
    expect(long.stdout).toBe(short.stdout);
  });

  test("Pacific/Apia skipped 2011-12-30 whole: a daily noon job runs once on the 31st", async () => {
    const ran = await next([
      "0 12 * * *",
      "--timezone",
      "Pacific/Apia",
      "--from",
      "2011-12-28T13:00",
      "-n",
      "3",
    ]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(lines(ran.stdout)).toEqual([
      "2011-12-29T12:00:00-10:00",
      "2011-12-31T12:00:00+14:00", // not also 00:00 for the 30th, which never came
      "2012-01-01T12:00:00+14:00",
    ]);
  });

  test("without --from it starts now, in UTC unless told otherwise", async () => {
    const before = Date.now();
    const ran = await next(["* * * * *", "-n", "1"]);
    const first = Date.parse(lines(ran.stdout)[0] ?? "");
    expect(lines(ran.stdout)[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+00:00$/);
    expect(first).toBeGreaterThan(before - 60_000);
    expect(first).toBeLessThanOrEqual(before + 60_000 + 5_000);
  });

  test("an invalid schedule exits 1 with the error, its rule and a hint, and prints no times", async () => {
    const ran = await next(["0 0 3 * * 2027"]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toMatch(
      /^error: years are not supported: .* \[cron\.years\]\n {4}hint: remove the year/,
    );
  });

  test("a schedule decades between fire times still prints them", async () => {
    const ran = await next(["0 0 * 2 MON#5", "--from", "2073-01-01", "-n", "2"]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    // No fifth Monday in February from 2072 to 2112: 40 years, as 2100 is no leap year.
    expect(lines(ran.stdout)).toEqual(["2112-02-29T00:00:00+00:00", "2140-02-29T00:00:00+00:00"]);
  });

  test("fire times past 9999 print with ISO 8601's expanded years, each a whole instant", async () => {
    const ran = await next(["0 0 1 1 *", "--from", "9999-06-01", "-n", "3"]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(lines(ran.stdout)).toEqual([
      "+010000-01-01T00:00:00+00:00",
      "+010001-01-01T00:00:00+00:00",
      "+010002-01-01T00:00:00+00:00",
    ]);
    const tokyo = await next([
      "0 0 1 1 *",
      "--from",
      "9999-06-01",
      "-n",
      "1",
      "--timezone",
      "Asia/Tokyo",
    ]);
    expect(lines(tokyo.stdout)).toEqual(["+010000-01-01T00:00:00+09:00"]);
    expect(Date.parse(lines(tokyo.stdout)[0] ?? "")).toBe(Date.UTC(9999, 11, 31, 15));
  });

  // An empty schedule is wrong input, like any invalid one, not a folder named "".
  test.each([[""], ["   "], ["\t"]])(
    "an empty schedule %j exits 1: the schedule is empty",
    async (schedule) => {
      const ran = await next([schedule]);
      expect(ran).toMatchObject({ code: 1, stdout: "" });
      expect(ran.stderr).toMatch(
        /^error: the schedule is empty \[cron\.syntax\]\n {4}hint: write five fields/,
      );
    },
  );

  test("a schedule that fires every few seconds warns on stderr and still prints the times", async () => {
    const ran = await next(["*/10 * * * * *", "-n", "2", "--from", "2026-01-01T00:00:00Z"]);
    expect(ran.code).toBe(0);
    expect(lines(ran.stdout)).toEqual(["2026-01-01T00:00:10+00:00", "2026-01-01T00:00:20+00:00"]);
    expect(ran.stderr).toContain(
      "warning: fires every 10 seconds — six fields mean seconds first [cron.frequent]",
    );
  });
});

describe("a job file", () => {
  const job = async (name: string, text: string) => {
    await writeFile(path.join(dir, name), text);
    return name; // relative to the working directory, as a user types it
  };

  test("uses the file's schedule and timezone; --timezone overrides the file", async () => {
    const file = await job(
      "backup.yaml",
      'schedule: "0 3 * * MON"\ntimezone: Europe/Amsterdam\nimage: postgres:16\n',
    );
    const own = await next([file, "-n", "2", "--from", "2026-03-20"]);
    expect(lines(own.stdout)).toEqual(["2026-03-23T03:00:00+01:00", "2026-03-30T03:00:00+02:00"]);
    const overridden = await next([
      file,
      "-n",
      "1",
      "--from",
      "2026-03-20",
      "--timezone",
      "Asia/Tokyo",
    ]);
    expect(lines(overridden.stdout)).toEqual(["2026-03-23T03:00:00+09:00"]);
  });

  test("a file without timezone is UTC", async () => {
    const file = await job("report.yml", "schedule: '@daily'\nimage: busybox\n");
    const ran = await next([file, "-n", "1", "--from", "2026-01-01T12:00:00Z"]);
    expect(lines(ran.stdout)).toEqual(["2026-01-02T00:00:00+00:00"]);
  });

  test("errors name the file, line and column of the value at fault", async () => {
    const years = await job("years.yaml", 'image: busybox\nschedule: "0 3 * * * 2026"\n');
    expect(await next([years])).toMatchObject({
      code: 1,
      stdout: "",
      stderr: expect.stringMatching(
        /^years\.yaml:2:11: error: years are not supported.*\[cron\.years\]/,
      ),
    });
    const zone = await job("zone.yaml", 'schedule: "0 3 * * *"\ntimezone: Mars/Olympus\n');
    expect(await next([zone])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^zone\.yaml:2:11: error: unknown time zone "Mars\/Olympus" \[cron\.timezone\]/,
      ),
    });
    const missing = await job("missing.yaml", "image: busybox\n");
    expect(await next([missing])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^missing\.yaml:1:1: error: the job has no schedule \[schema\.required\]/,
      ),
    });
    const broken = await job("broken.yaml", "schedule: [\n");
    expect(await next([broken])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^broken\.yaml:\d+:\d+: error: .* \[yaml\.syntax\]/),
    });
  });
});

describe("usage errors exit 2 with one sentence and no stack", () => {
  test.each([
    [[], /give a schedule or a job file/],
    [["0", "3", "*", "*", "*"], /got 5 arguments \(quote the schedule/],
    [["@daily", "-n", "0"], /-n must be a whole number from 1 to 1000, not "0"/],
    [["@daily", "-n", "five"], /-n must be a whole number/],
    [["@daily", "--timezone", "Mars"], /--timezone "Mars" is not an IANA time zone/],
    [["@daily", "--from", "yesterday"], /--from "yesterday" is not a time like 2026-03-29/],
    [["@daily", "--every", "5"], /--every/],
    [["jobs/nightly.yaml"], /jobs\/nightly\.yaml: no such file/],
    [["."], /\. is not a file; give one job file/],
  ])("next %j", async (args, message) => {
    const ran = await next(args);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  test("--help explains the arguments and exits 0", async () => {
    const ran = await next(["--help"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(
      /^Usage: gitcron next SCHEDULE\|FILE \[-n 5\] \[--timezone TZ\] \[--from TIME\]/,
    );
    expect(ran.stdout).toContain("skipped by a DST jump fires once");
  });
});
