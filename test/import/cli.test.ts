// `gitcron import` as a user runs it: the built CLI on the documented examples, the files it
// writes passed by `gitcron validate`, and the exit codes of what cannot be converted.

import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN, gitcron } from "../helpers/cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gitcron-import-"));
  await cp(new URL("../fixtures/import", import.meta.url), path.join(dir, "in"), {
    recursive: true,
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const inDir = () => ({ cwd: dir });

describe("gitcron import writes job files that gitcron validate passes", () => {
  test.each([
    [
      "supercronic-readme.crontab",
      ["echo-hello.yaml", "echo.yaml", "ls.yaml"],
      ["--image", "alpine:3.20"],
    ],
    ["ofelia-jobs-run.ini", ["print-write-date.yaml"], []],
    ["ofelia-jobs-run-labels.yaml", ["print-write-date.yaml"], []],
    ["k8s-cronjob.yaml", ["hello.yaml"], []],
    ["k8s-full.yaml", ["every-ten-minutes.yaml", "nightly-report.yaml"], []],
  ])("%s", async (fixture, files, flags) => {
    const out = `out-${fixture}`;
    const ran = await gitcron(["import", `in/${fixture}`, "--out", out, ...flags], inDir());
    expect(ran.code, ran.stderr).toBe(0);
    expect((await readdir(path.join(dir, out))).sort()).toEqual(files);
    expect(ran.stdout).toContain(
      `${files.length} job${files.length === 1 ? "" : "s"} imported, 0 not`,
    );
    const validated = await gitcron(["validate", out, "--allow-host-path", "/tmp/test"], inDir());
    expect(validated.code, validated.stdout).toBe(0);
    expect(validated.stdout).toMatch(new RegExp(`^${files.length} files?, 0 errors`, "m"));
  });

  test("the comments are in the written file, above the fields they are about", async () => {
    const ran = await gitcron(["import", "in/k8s-full.yaml", "-o", "k8s"], inDir());
    expect(ran.stdout).toContain(
      'k8s/nightly-report.yaml ← in/k8s-full.yaml:13 CronJob "nightly.report"',
    );
    const text = await readFile(path.join(dir, "k8s/nightly-report.yaml"), "utf8");
    expect(text).toMatch(
      /^# Imported by `gitcron import` from in\/k8s-full\.yaml:13, Kubernetes CronJob "nightly\.report" \(batch\/v1\)\.$/m,
    );
    expect(text).toContain("# Settings with no gitcron equivalent, and what to do:\n");
    expect(text).toContain("# was concurrencyPolicy: Forbid\noverlap: skip\n");
    expect(text).toContain('schedule: "30 2 * * *"\n');
    expect(text).toMatch(/# - the Pod has 2 containers; only the first, "hello", is imported/);
  });

  test("--stdout prints the files, each after ---, and writes none", async () => {
    const ran = await gitcron(["import", "in/k8s-cronjob.yaml", "--stdout"], inDir());
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^---\n# hello\.yaml\n# Imported by/);
    expect(ran.stdout).toContain('schedule: "*/1 * * * *"');
    expect(ran.stderr).toBe("1 job imported, 0 not\n");
  });

  test("standard input is read with -", async () => {
    const child = execFile(
      process.execPath,
      [BIN, "import", "-", "--image", "alpine:3", "--stdout"],
      {
        cwd: dir,
      },
    );
    child.stdin?.end("0 4 * * * nightly.sh\n");
    const [stdout, code] = await Promise.all([
      new Promise<string>((resolve) => {
        let text = "";
        child.stdout?.on("data", (chunk) => {
          text += chunk;
        });
        child.stdout?.on("end", () => resolve(text));
      }),
      new Promise<number | null>((resolve) => child.on("exit", resolve)),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("# Imported by `gitcron import` from <stdin>:1, a crontab line");
    expect(stdout).toContain("  - nightly.sh\n");
  });
});

describe("what cannot be converted", () => {
  test("Ofelia's README example: job-exec and job-local are refused with file:line, exit 1, the rest written", async () => {
    const ran = await gitcron(["import", "in/ofelia-readme.ini", "-o", "ofelia"], inDir());
    expect(ran.code).toBe(1);
    expect(ran.stderr.split("\n").filter((l) => !l.startsWith("    "))).toEqual([
      'in/ofelia-readme.ini:2:1: error: job-exec "job-executed-on-running-container" runs its command inside a running container; gitcron has no equivalent: not imported [import.ofelia]',
      'in/ofelia-readme.ini:12:1: error: job-local "job-executed-on-current-host" runs its command on Ofelia\'s host; gitcron has no equivalent: not imported [import.ofelia]',
      "",
    ]);
    expect((await readdir(path.join(dir, "ofelia"))).sort()).toEqual([
      "job-executed-on-new-container.yaml",
      "service-executed-on-new-container.yaml",
    ]);
    expect(ran.stdout).toContain("2 jobs imported, 2 not");
  });

  test("a crontab line with a year is refused at its line", async () => {
    await writeFile(path.join(dir, "years.crontab"), "# once\n0 3 1 1 * 2027 once.sh\n");
    const ran = await gitcron(
      ["import", "years.crontab", "--image", "alpine:3", "--stdout"],
      inDir(),
    );
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(
      /^years\.crontab:2:1: error: supercronic's year field "2027" has no gitcron equivalent/,
    );
    expect(ran.stdout).toBe("");
  });

  test("a file with no jobs is exit 1", async () => {
    await writeFile(path.join(dir, "empty.crontab"), "# nothing here\nFOO=bar\n");
    const ran = await gitcron(
      ["import", "empty.crontab", "--image", "alpine:3", "--stdout"],
      inDir(),
    );
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^empty\.crontab:1:1: error: no jobs found \[import\.empty\]$/m);
  });
});

describe("usage errors are exit 2", () => {
  test.each([
    [["import"], "give the files to import"],
    [
      ["import", "in/supercronic-readme.crontab"],
      "is a crontab, which names no image: give --image IMAGE",
    ],
    [["import", "missing.ini"], "missing.ini: no such file"],
    [
      ["import", "in/k8s-cronjob.yaml", "--from", "nomad"],
      '--from must be crontab, ofelia, kubernetes, not "nomad"',
    ],
    [["import", "in/k8s-cronjob.yaml", "--timezone", "Mars/Olympus"], "is not an IANA time zone"],
    [
      ["import", "in/k8s-cronjob.yaml", "--stdout", "--out", "x"],
      "--out and --stdout exclude each other",
    ],
  ])("%j", async (args, message) => {
    const ran = await gitcron(args, inDir());
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(message);
  });

  test("an existing job file is not overwritten without --force, and nothing is written", async () => {
    const first = await gitcron(["import", "in/k8s-full.yaml", "-o", "again"], inDir());
    expect(first.code).toBe(0);
    await writeFile(path.join(dir, "again/every-ten-minutes.yaml"), "# mine\n");
    const second = await gitcron(["import", "in/k8s-full.yaml", "-o", "again"], inDir());
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      "gitcron import: again/nightly-report.yaml, again/every-ten-minutes.yaml exist; nothing written: pass --force to overwrite",
    );
    expect(await readFile(path.join(dir, "again/every-ten-minutes.yaml"), "utf8")).toBe("# mine\n");
    const forced = await gitcron(["import", "in/k8s-full.yaml", "-o", "again", "--force"], inDir());
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(dir, "again/every-ten-minutes.yaml"), "utf8")).toMatch(
      /^# Imported by/,
    );
  });

  test("--help says what each format maps and the exit codes", async () => {
    const ran = await gitcron(["import", "--help"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^Usage: gitcron import FILE\.\.\./);
    expect(ran.stdout).toContain(
      "Exit codes: 0 every job imported, 1 a job could not be converted",
    );
  });
});
