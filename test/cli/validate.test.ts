// `gitcron validate` run as a user runs it: the built binary, real files, exit codes.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN, gitcron as run } from "../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Run from the repository root unless the test says otherwise. */
const gitcron = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
  run(args, { cwd: ROOT, ...options });

let dir: string;

async function write(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(dir, "case-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

const JOB = 'schedule: "@daily"\nimage: alpine:3\n';

beforeAll(async () => {
  if (!existsSync(BIN))
    throw new Error("dist/ is missing: run `npm run build` (npm test does) first");
  dir = await mkdtemp(path.join(tmpdir(), "gitcron-validate-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("gitcron validate", () => {
  test("the example jobs pass, with a one-line summary", async () => {
    const ran = await gitcron(["validate", "jobs.example"]);
    expect(ran).toMatchObject({ code: 0, stdout: "6 files, 0 errors, 0 warnings\n" });
  });

  test("errors print as path:line:col: error: message [rule] and exit 1", async () => {
    const root = await write({ "jobs/bad.yaml": `${JOB}network: host\n`, "jobs/good.yaml": JOB });
    const ran = await gitcron(["validate", "jobs"], { cwd: root });
    expect(ran.code).toBe(1);
    expect(ran.stdout.split("\n")).toEqual([
      'jobs/bad.yaml:3:10: error: network "host" is not allowed [policy.network]',
      expect.stringMatching(/^ {4}hint: /),
      "2 files, 1 error, 0 warnings",
      "",
    ]);
  });

  test("a label key with a dotted prefix is refused unless --allow-label names it", async () => {
    const labels = 'labels:\n  team: ops\n  traefik.http.routers.x.rule: "Host(`bank.example`)"\n';
    const root = await write({ "jobs/proxy.yaml": `${JOB}${labels}` });
    const ran = await gitcron(["validate", "jobs"], { cwd: root });
    expect(ran.code).toBe(1);
    expect(ran.stdout.split("\n").slice(0, 2)).toEqual([
      expect.stringMatching(
        /^jobs\/proxy\.yaml:5:3: error: label "traefik\.http\.routers\.x\.rule" is not allowed: .* \[policy\.label\]$/,
      ),
      '    hint: use a key without a dot, or ask the operator to list it in the agent\'s --allow-label (e.g. "traefik.*")',
    ]);
    const allowed = await gitcron(["validate", "jobs", "--allow-label", "traefik.*"], {
      cwd: root,
    });
    expect(allowed).toMatchObject({ code: 0, stdout: "1 file, 0 errors, 0 warnings\n" });
  });

  test("a message quotes at most 40 characters of the file, in every format", async () => {
    // Long values where the messages quote them: an unknown key, an image, a duration, a label
    // key, a host path. Any 41 characters of one in the output is too many.
    const long = (tag: string) => `${tag}${"0123456789abcdef".repeat(6)}`.slice(0, 90);
    const values = ["unknown", "Image", "timeout", "label", "host"].map(long);
    const [key, image, timeout, label, host] = values;
    const root = await write({
      "jobs/long.yaml": `schedule: "@daily"\nimage: "${image}"\ntimeout: "${timeout}"\n${key}: 1\nlabels:\n  ${label}.x: v\nvolumes:\n  - { hostPath: "/${host}", path: /h }\n`,
    });
    for (const format of ["text", "json", "github"]) {
      const ran = await gitcron(["validate", "--format", format, "jobs"], { cwd: root });
      expect(ran.code).toBe(1);
      for (const value of values) {
        // Each value was quoted (so the cut is what this checks), and cut.
        expect(ran.stdout, `${format}: ${value.slice(0, 8)}`).toContain(value.slice(0, 38));
        for (let at = 0; at + 41 <= value.length; at++)
          expect(ran.stdout, `${format}: 41 characters of ${value.slice(0, 8)}`).not.toContain(
            value.slice(at, at + 41),
          );
      }
    }
  });

  test("with no path it validates the current folder", async () => {
    const root = await write({ "a.yaml": JOB, "b/c.yml": "image: alpine:3\n" });
    const ran = await gitcron(["validate"], { cwd: root });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(
      'b/c.yml:1:1: error: missing required field "schedule" [schema.required]',
    );
    expect(ran.stdout).toMatch(/2 files, 1 error, 0 warnings\n$/);
  });

  test("--format json prints counts and issues", async () => {
    const root = await write({ "x.yaml": `${JOB}overlap: never\n` });
    const ran = await gitcron(["validate", "--format", "json", root]);
    expect(ran.code).toBe(1);
    const out = JSON.parse(ran.stdout);
    expect(out).toMatchObject({ ok: false, files: 1, errors: 1, warnings: 0 });
    expect(out.issues[0]).toMatchObject({
      line: 3,
      col: 10,
      rule: "schema.enum",
      severity: "error",
    });
  });

  test("--format github annotates with paths relative to the working directory", async () => {
    const root = await write({ "jobs/x.yaml": `${JOB}timeout: soon\n` });
    const ran = await gitcron(["validate", "--format=github", path.join(root, "jobs")], {
      cwd: root,
    });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(
      /^::error file=jobs\/x\.yaml,line=3,col=10,title=gitcron schema\.pattern::timeout "soon" is not a duration/,
    );
  });

  test("a warning alone passes; --strict makes it fail", async () => {
    const root = await write({ "fast.yaml": 'image: alpine:3\nschedule: "*/10 * * * * *"\n' });
    const plain = await gitcron(["validate", root]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(
      /fast\.yaml:2:11: warning: fires every 10 seconds — six fields mean seconds first: next .* \[cron\.seconds\]/,
    );
    const strict = await gitcron(["validate", "--strict", root]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/fast\.yaml:2:11: error: /);
    expect(strict.stdout).toMatch(/1 file, 1 error, 0 warnings/);
  });

  test("a supercronic line shows both readings with their next runs, so --strict fails on it", async () => {
    const root = await write({
      "backup.yaml": 'image: alpine:3\nschedule: "30 2 * * * *"\ntimezone: Europe/Amsterdam\n',
    });
    const plain = await gitcron(["validate", root], { cwd: root });
    expect(plain.code).toBe(0);
    const next = String.raw`\d{4}-\d\d-\d\dT`;
    expect(plain.stdout.split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^backup\\.yaml:2:11: warning: six fields mean seconds first: next ${next}\\d\\d:02:30\\+0[12]:00, ${next}\\d\\d:02:30\\+0[12]:00; ` +
            `supercronic reads the sixth field as a year: next ${next}02:30:00\\+0[12]:00, ${next}02:30:00\\+0[12]:00 \\[cron\\.seconds\\]$`,
        ),
      ),
      '    hint: add "seconds: true" to keep seconds first; for supercronic\'s reading write five fields: "30 2 * * *"',
      "1 file, 0 errors, 1 warning",
      "",
    ]);
    expect((await gitcron(["validate", "--strict", root])).code).toBe(1);

    // Stating the reading settles it: seconds first, no warning.
    const stated = await write({
      "backup.yaml": 'image: alpine:3\nschedule: "30 2 * * * *"\nseconds: true\n',
    });
    expect(await gitcron(["validate", "--strict", stated])).toMatchObject({
      code: 0,
      stdout: "1 file, 0 errors, 0 warnings\n",
    });
  });

  test("expectSuccessWithin: 3m on a weekly job warns with what to write instead", async () => {
    const root = await write({
      "report.yaml": 'schedule: "0 3 * * MON"\nimage: alpine:3\nexpectSuccessWithin: 3m\n',
    });
    const ran = await gitcron(["validate", root], { cwd: root });
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout.split("\n")).toEqual([
      "report.yaml:3:22: warning: expectSuccessWithin 3m is shorter than the longest wait between two runs over the next year (7d): the job will be late before its next run even when every run succeeds [expectSuccessWithin.short]",
      "    hint: allow that wait and the run's time: expectSuccessWithin: 7d1h, or auto, which works it out from the schedule",
      "1 file, 0 errors, 1 warning",
      "",
    ]);
    expect((await gitcron(["validate", "--strict", root])).code).toBe(1);
  });

  test("a pasted Kubernetes CronJob is one error saying what to write; Forbid and retries: 3 get theirs", async () => {
    const root = await write({
      "backup.yaml": [
        "apiVersion: batch/v1",
        "kind: CronJob",
        "metadata: { name: backup }",
        "spec:",
        '  schedule: "0 3 * * *"',
        "  concurrencyPolicy: Forbid",
        "  jobTemplate:",
        "    spec:",
        "      template:",
        "        spec:",
        "          containers: [{ name: backup, image: postgres:16 }]",
        "",
      ].join("\n"),
      "report.yaml": `${JOB}overlap: Forbid\nretries: 3\nfoo: 1\nbar: 2\n`,
    });
    const ran = await gitcron(["validate", root], { cwd: root });
    expect(ran.code).toBe(1);
    expect(ran.stdout.split("\n")).toEqual([
      "backup.yaml:2:7: error: this is a Kubernetes CronJob manifest, not a gitcron job file [format.kubernetes]",
      `    hint: write one flat job file: schedule: "0 3 * * *", image: postgres:16, overlap: skip (concurrencyPolicy: Forbid); the container's command is entrypoint, its args command`,
      'report.yaml:3:10: error: overlap must be one of queue, skip, replace, not "Forbid" [schema.enum]',
      "    hint: write overlap: skip (Kubernetes' concurrencyPolicy: Forbid)",
      "report.yaml:4:10: error: retries must be a mapping, not number 3 [schema.type]",
      "    hint: write retries: { limit: 3 } (and backoff: 30s to wait between attempts)",
      'report.yaml:5:1: error: unknown field "foo" [schema.unknown]',
      expect.stringMatching(/^ {4}hint: allowed fields: name, schedule, .*, placement$/),
      'report.yaml:6:1: error: unknown field "bar" [schema.unknown]',
      "    hint: see the allowed fields listed on line 5",
      "2 files, 5 errors, 0 warnings",
      "",
    ]);
  });

  test("--secret-env and GITCRON_SECRET_ENV choose what fromEnv may read; the flag wins", async () => {
    const root = await write({ "j.yaml": `${JOB}env:\n  T: { fromEnv: JOB_TOKEN }\n` });
    expect((await gitcron(["validate", root])).code).toBe(1);
    expect((await gitcron(["validate", "--secret-env", "SECRET_*,JOB_*", root])).code).toBe(0);
    expect((await gitcron(["validate", root], { env: { GITCRON_SECRET_ENV: "JOB_*" } })).code).toBe(
      0,
    );
    expect(
      (
        await gitcron(["validate", "--secret-env", "SECRET_*", root], {
          env: { GITCRON_SECRET_ENV: "JOB_*" },
        })
      ).code,
    ).toBe(1);
  });

  test("--allow-host-path and GITCRON_ALLOW_HOST_PATH open the listed folders, never the Docker socket", async () => {
    const root = await write({
      "export.yaml": `${JOB}volumes:\n  - hostPath: /srv/exports\n    path: /out\n`,
      "socket.yaml": `${JOB}volumes:\n  - hostPath: /var/run/docker.sock\n    path: /sock\n`,
    });
    const closed = await gitcron(["validate", root]);
    expect(closed.stdout.match(/\[policy\.hostPath\]/g)).toHaveLength(2);
    for (const ran of [
      await gitcron(["validate", "--allow-host-path", "/srv/exports,/var/run", root]),
      await gitcron(["validate", root], {
        env: { GITCRON_ALLOW_HOST_PATH: "/srv/exports,/var/run" },
      }),
    ]) {
      expect(ran.code).toBe(1);
      expect(ran.stdout).toMatch(
        /socket\.yaml:4:15: error: hostPath "\/var\/run\/docker\.sock" is never allowed/,
      );
      expect(ran.stdout).not.toContain("export.yaml");
    }
  });

  test("--policy restricted requires a non-root user", async () => {
    const root = await write({ "j.yaml": JOB });
    expect((await gitcron(["validate", root])).code).toBe(0);
    const ran = await gitcron(["validate", "--policy", "restricted", root]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain("[policy.user]");
  });

  test("--timezone sets the zone of jobs that name none", async () => {
    const root = await write({ "j.yaml": JOB });
    expect((await gitcron(["validate", "--timezone", "Asia/Tokyo", root])).code).toBe(0);
  });

  test.each([
    [["validate", "--frmat", "json"], /Unknown option '--frmat'/],
    [["validate", "no/such/folder"], /no such file or folder: no\/such\/folder/],
    [["validate", "--format", "xml"], /--format must be text, json, github/],
    [["validate", "--policy", "lax"], /--policy must be baseline or restricted/],
    [["validate", "--timezone", "Mars/Olympus"], /not an IANA time zone/],
    [["validate", "--allow-host-path", "srv"], /absolute folders/],
  ])("usage errors exit 2: %j", async (args, message) => {
    const ran = await gitcron(args);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toMatch(message);
    expect(ran.stderr).not.toMatch(/\n\s+at /); // no stack traces
  });

  test("a reader that stops early (| head) ends the output quietly; the exit code stays", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 2000 }, (_, i) => [`bad-${i}.yaml`, `${JOB}network: host\n`]),
    );
    const root = await write(files);
    const child = spawn(process.execPath, [BIN, "validate", root], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Read one chunk, then close the pipe, as `head -1` does.
    child.stdout.once("data", () => child.stdout.destroy());
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(stderr).toBe("");
  });

  test("--help describes the flags and exits 0", async () => {
    const ran = await gitcron(["validate", "--help"]);
    expect(ran.code).toBe(0);
    for (const flag of [
      "--format",
      "--strict",
      "--secret-env",
      "--allow-host-path",
      "--policy",
      "--timezone",
    ]) {
      expect(ran.stdout).toContain(flag);
    }
  });
});
