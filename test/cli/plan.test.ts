// `gitcron plan` run as a user runs it: the built binary against a real bare repository whose
// status branch records the active set.

import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { activeJobOf } from "../../src/plan/plan.js";
import { gitcron } from "../helpers/cli.js";
import { cloneRepo, commitFiles, createBareRepo, git, tempDirs } from "../helpers/git.js";

const dirs = tempDirs("gitcron-plan-");
afterEach(() => dirs.cleanup());

const job = (schedule: string) => `schedule: "${schedule}"\nimage: busybox:1\n`;

/** An orphan status branch whose state.json says these files are active. */
async function recordActive(work: string, files: Record<string, string>) {
  const jobs: Record<string, unknown> = {};
  for (const [file, text] of Object.entries(files)) {
    const { spec } = parseJobFile(text, file, { policy: defaultPolicy(), defaultTimezone: "UTC" });
    if (!spec) throw new Error(`fixture ${file} is invalid`);
    jobs[spec.name] = {
      ...activeJobOf(spec),
      schedule: spec.schedule,
      timezone: spec.timezone,
      suspended: false,
      nextRunAt: null,
    };
  }
  const state = {
    version: 1,
    revision: null,
    agentVersion: "test",
    lastSyncAt: null,
    syncErrors: { count: 0 },
    jobs,
    rejected: [],
  };
  await git(work, "checkout", "-q", "--orphan", "gitcron-status");
  await git(work, "rm", "-rfq", ".");
  await writeFile(`${work}/state.json`, JSON.stringify(state));
  await git(work, "add", "state.json");
  await git(work, "commit", "-q", "-m", "state");
  await git(work, "push", "-q", "origin", "gitcron-status");
  await git(work, "checkout", "-q", "main");
}

describe("gitcron plan", () => {
  test("prints + ~ - = against state.json on the status branch, naming the changed fields", async () => {
    const parent = await dirs.make();
    const active = {
      "keep.yaml": job("0 3 * * *"),
      "change.yaml": job("0 4 * * *"),
      "gone.yaml": job("0 5 * * *"),
    };
    const remote = await createBareRepo(parent, { files: active });
    const work = await cloneRepo(remote.url, `${parent}/work`);
    await recordActive(work, active);
    await commitFiles(
      work,
      { "change.yaml": job("30 4 * * *"), "gone.yaml": null, "new.yaml": job("0 6 * * *") },
      "edit",
    );
    await git(work, "push", "-q", "origin", "HEAD:main");

    const ran = await gitcron(["plan", "--repo", remote.url]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout.trimEnd().split("\n")).toEqual([
      "~ change change (schedule)  change.yaml",
      "- remove gone  gone.yaml",
      "= same   keep  keep.yaml",
      "+ add    new  new.yaml",
      "1 to add, 1 to change, 1 to remove, 1 unchanged.",
    ]);
  });

  test("invalid files are listed after the plan with file:line:col, and the exit code is 1", async () => {
    const parent = await dirs.make();
    const remote = await createBareRepo(parent, {
      files: { "bad.yaml": `${job("0 3 * * *")}overlap: sometimes\n` },
    });
    const ran = await gitcron(["plan", "--repo", remote.url]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('(no status branch "gitcron-status" yet: every job is new)');
    expect(ran.stdout).toMatch(/bad\.yaml:3:10: error: .*\[schema\.enum\]/);
  });

  test("an unreachable repository is one sentence and exit code 2", async () => {
    const parent = await dirs.make();
    const ran = await gitcron(["plan", "--repo", `file://${parent}/missing.git`]);
    expect(ran.code).toBe(2);
    expect(ran.stderr.trim().split("\n")).toHaveLength(1);
    expect(ran.stderr).toMatch(/^gitcron plan: cannot fetch HEAD from file:\/\//);
  });
});
