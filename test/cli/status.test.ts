// `gitcron status` and `gitcron logs` as a user runs them: the built binary reading the status
// branch a real agent wrote to a real bare repository, after real runs on the engine.

import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "../../src/agent/agent.js";
import { startTestAgent } from "../helpers/agent.js";
import { gitcron } from "../helpers/cli.js";
import { cleanupDocker, engine, eventually, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { type BareRepo, cloneRepo, createBareRepo, tempDirs } from "../helpers/git.js";
import { journalRuns } from "../helpers/ledger.js";

const dirs = tempDirs("gitcron-status-cli-");
const prefix = uniqueName("st");
const ok = `${prefix}-ok`;
const bad = `${prefix}-bad`;
let remote: BareRepo;
let work: string;
let agent: Agent;

const job = (schedule: string, script: string) =>
  `schedule: "${schedule}"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n`;

beforeAll(async () => {
  const parent = await dirs.make();
  remote = await createBareRepo(parent, {
    files: {
      // In a zone of its own: times are shown in it.
      [`${ok}.yaml`]: `${job("*/2 * * * * *", "echo line one; echo line two")}timezone: Asia/Kolkata\n`,
      [`${bad}.yaml`]: job("*/2 * * * * *", "printf 'oops \\033[31mred\\033[0m\\n'; exit 3"),
      "broken.yaml": `${job("0 3 * * *", "true")}overlap: sometimes\n`,
    },
  });
  work = await cloneRepo(remote.url, `${parent}/work`);
  ({ agent } = await startTestAgent({
    repo: remote.url,
    dir: parent,
    flags: { interval: "1s", "status-flush": "1s" },
  }));
  await eventually(async () => {
    const counts = await Promise.all(
      [ok, bad].map(async (j) => (await journalRuns(remote.dir, "gitcron-status", j)).length),
    );
    return counts.every((n) => n >= 3) || undefined;
  }, 30_000);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await cleanupDocker(engine(), prefix);
  await dirs.cleanup();
});

describe("gitcron status", () => {
  it("prints one line a job, then the rejected files", async () => {
    const ran = await gitcron(["status", "--repo", remote.url]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    const lines = ran.stdout.split("\n");
    // The agent that wrote it leads the repository, and says where it runs.
    expect(lines[0]).toMatch(
      new RegExp(
        `^revision [0-9a-f]{12}, last sync \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, agent \\S+, leader ${hostname()} \\(pid ${process.pid}\\)$`,
      ),
    );
    expect(lines[1]).toMatch(/^JOB +SCHEDULE +ZONE +LAST +EXIT +DURATION +LAST START +NEXT RUN$/);
    const row = (name: string) =>
      (lines.find((l) => l.startsWith(`${name} `)) ?? "").split(/ {2,}/);
    const [, schedule, zone, last, exit, , start, next] = row(bad);
    expect([schedule, zone, last, exit]).toEqual(["*/2 * * * * *", "UTC", "failed", "3"]);
    expect(Date.parse(next as string)).toBeGreaterThanOrEqual(Date.parse(start as string));
    expect(start).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(row(ok).slice(2, 5)).toEqual(["Asia/Kolkata", "succeeded", "0"]);
    // In the job's zone, to the second.
    const [okStart, okNext] = row(ok).slice(6);
    expect(okStart).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30$/);
    expect(okNext).toMatch(/ \+05:30$/);
    // The same instant: read back with the zone's offset, it is a run of the last minute.
    const [day, time] = (okStart as string).split(" ");
    const startedAt = Date.parse(`${day}T${time}+05:30`);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(0);
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    expect(ran.stdout).toContain("Rejected files (their jobs keep their last good spec):");
    expect(ran.stdout).toMatch(/^broken\.yaml:4:10: error: .*\[schema\.enum\]$/m);
  });

  it("--format json has the same facts for scripts", async () => {
    const ran = await gitcron(["status", "--repo", remote.url, "--format", "json"]);
    expect(ran.code).toBe(0);
    const status = JSON.parse(ran.stdout) as {
      jobs: { name: string; lastOutcome: string; exitCode: number; nextRunAt: string }[];
      rejected: { file: string }[];
    };
    expect(status.jobs.map((j) => [j.name, j.lastOutcome, j.exitCode])).toEqual([
      [bad, "failed", 3],
      [ok, "succeeded", 0],
    ]);
    expect(status.rejected.map((r) => r.file)).toEqual(["broken.yaml"]);
  });

  it("in a checkout, --repo defaults to its origin", async () => {
    const ran = await gitcron(["status"], { cwd: work });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`${ok} `);
  });

  it("a repository without a status branch, or none at all, is one sentence and exit 2", async () => {
    const parent = await dirs.make();
    const empty = await createBareRepo(parent, { files: { "a.yaml": job("0 3 * * *", "true") } });
    const none = await gitcron(["status", "--repo", empty.url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'gitcron status: the repository has no status branch "gitcron-status" yet: no agent has written to it\n',
    );
    const outside = await gitcron(["status"], { cwd: parent });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^gitcron status: give --repo \(or GITCRON_REPO\)/);
  });
});

describe("gitcron logs", () => {
  it("prints the job's last runs, newest last, with their log tails", async () => {
    const ran = await gitcron(["logs", ok, "--repo", remote.url, "-n", "2"]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    const blocks = ran.stdout.trimEnd().split("\n\n");
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      expect(block.split("\n")).toEqual([
        expect.stringMatching(
          new RegExp(
            `^── ${ok}-\\d{8}T\\d{6}Z-1  succeeded \\(exit 0, \\S+\\)  started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+05:30  schedule$`,
          ),
        ),
        "line one",
        "line two",
      ]);
    }
  });

  it("shows what a job printed without letting it drive the terminal", async () => {
    const ran = await gitcron(["logs", bad, "--repo", remote.url, "-n", "1"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("oops \\x1b[31mred\\x1b[0m");
    expect(ran.stdout).not.toContain("\u001b");
  });

  it("an unknown job is exit 1; --format json prints the summaries", async () => {
    const unknown = await gitcron(["logs", "no-such-job", "--repo", remote.url]);
    expect(unknown).toEqual({
      code: 1,
      stdout: "",
      stderr: 'gitcron logs: no job named "no-such-job" on the status branch "gitcron-status".\n',
    });
    const json = await gitcron(["logs", ok, "--repo", remote.url, "-n", "1", "--format", "json"]);
    const [run] = JSON.parse(json.stdout) as { job: string; logTail: string }[];
    expect(run).toMatchObject({ job: ok, logTail: "line one\nline two" });
  });
});
