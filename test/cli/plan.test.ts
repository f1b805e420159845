// `gitcron plan` run as a user runs it: the built binary against a real bare repository whose
// status branch records the active set.

import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, test } from "vitest";
import { parseJobFile } from "../../src/jobs/parse.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { activeJobOf } from "../../src/plan/plan.js";
import type { StatusState } from "../../src/status/state.js";
import { startTestAgent } from "../helpers/agent.js";
import { gitcron } from "../helpers/cli.js";
import { eventually } from "../helpers/docker.js";
import {
  cloneRepo,
  commitFiles,
  createBareRepo,
  git,
  readFileAt,
  tempDirs,
} from "../helpers/git.js";

const dirs = tempDirs("gitcron-plan-");
afterEach(() => dirs.cleanup());

const job = (schedule: string) => `schedule: "${schedule}"\nimage: busybox:1\n`;

/** An orphan status branch whose state.json says these files are active (applied from
 * `revision`, a commit of main, when given). */
async function recordActive(
  work: string,
  files: Record<string, string>,
  revision: string | null = null,
) {
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
    revision,
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

  test("in a checkout, with no flags, plans its HEAD before the push against origin's status branch", async () => {
    const parent = await dirs.make();
    const active = { "keep.yaml": job("0 3 * * *"), "change.yaml": job("0 4 * * *") };
    const remote = await createBareRepo(parent, { files: active });
    const work = await cloneRepo(remote.url, `${parent}/work`);
    await recordActive(work, active);
    // A fresh clone, as a pull-request author has: no local status branch.
    const mine = await cloneRepo(remote.url, `${parent}/mine`);
    await commitFiles(
      mine,
      { "change.yaml": job("30 4 * * *"), "new.yaml": job("0 6 * * *") },
      "edit",
    );

    const ran = await gitcron(["plan"], { cwd: `${mine}` });
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout.trimEnd().split("\n")).toEqual([
      "~ change change (schedule)  change.yaml",
      "= same   keep  keep.yaml",
      "+ add    new  new.yaml",
      "1 to add, 1 to change, 0 to remove, 1 unchanged.",
    ]);
    // Outside a checkout there is nothing to default to.
    const outside = await gitcron(["plan"], { cwd: parent });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("--repo is required outside a Git checkout");
  });

  test("each changed field is shown as the files write it, old → new, under the names they use", async () => {
    const parent = await dirs.make();
    const before = {
      "report.yaml": `${job("0 4 * * *")}timeout: 15m\nretries: { limit: 2, backoff: 30s }\n`,
      "keep.yaml": job("0 3 * * *"),
    };
    const remote = await createBareRepo(parent, { files: before });
    const work = await cloneRepo(remote.url, `${parent}/work`);
    const applied = (await git(work, "rev-parse", "HEAD")).trim();
    await recordActive(work, before, applied);
    await commitFiles(
      work,
      {
        "report.yaml": `${job("30 4 * * *")}timeout: 1h\nstartingDeadline: 10m\nretries: { limit: 2, backoff: 30s }\n`,
      },
      "edit",
    );
    await git(work, "push", "-q", "origin", "HEAD:main");

    const ran = await gitcron(["plan", "--repo", remote.url]);
    expect(ran).toMatchObject({ code: 0, stderr: "" });
    expect(ran.stdout.trimEnd().split("\n")).toEqual([
      "= same   keep  keep.yaml",
      "~ change report (schedule, startingDeadline, timeout)  report.yaml",
      "    schedule: 0 4 * * * → 30 4 * * *",
      "    startingDeadline: (not set) → 10m",
      "    timeout: 15m → 1h",
      "0 to add, 1 to change, 0 to remove, 1 unchanged.",
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

  test("a path that does not exist, and a --path missing in the revision, are one sentence each", async () => {
    const parent = await dirs.make();
    const missing = await gitcron(["plan", "--repo", `${parent}/nowhere`]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr.trim()).toBe(`gitcron plan: --repo ${parent}/nowhere does not exist`);
    const remote = await createBareRepo(parent, { files: { "a.yaml": job("0 3 * * *") } });
    const noPath = await gitcron(["plan", "--repo", remote.url, "--path", "nosuchdir"]);
    expect(noPath.code).toBe(2);
    expect(noPath.stderr.trim()).toBe(
      `gitcron plan: --path nosuchdir is not a folder in HEAD of ${remote.url}; see \`gitcron plan --help\`.`,
    );
    // Nothing of the command's own temporary clone is shown.
    expect(noPath.stderr.replace(remote.url, "")).not.toMatch(/gitcron-plan-/);
  });
});

describe("gitcron plan and the agent, on the same revisions", () => {
  test("plan prints exactly what the agent then does: kept jobs, a name taken, changes, additions", async () => {
    const parent = await dirs.make();
    const once = "0 0 1 1 *"; // no run during the test
    const remote = await createBareRepo(parent, {
      files: {
        "alpha.yaml": job(once),
        "beta.yaml": job(once),
        "delta.yaml": job(once),
        "gone.yaml": job(once),
      },
    });
    const work = await cloneRepo(remote.url, `${parent}/work`);
    const { agent } = await startTestAgent({
      repo: remote.url,
      dir: parent,
      flags: { interval: "1h", "status-flush": "1s" },
    });
    try {
      await agent.ready;
      const stateAt = async (revision: string) =>
        eventually(async () => {
          const text = await readFileAt(remote.dir, "gitcron-status", "state.json");
          const state = text ? (JSON.parse(text) as StatusState) : undefined;
          return state?.revision === revision ? state : undefined;
        }, 20_000);
      const before = await stateAt(agent.revision() as string);

      const next = await commitFiles(
        work,
        {
          "alpha.yaml": `${job(once)}overlap: sometimes\n`,
          "beta.yaml": job("0 0 2 1 *"),
          "epsilon.yaml": `${job("0 0 3 1 *")}name: delta\n`,
          "gamma.yaml": job(once),
          "gone.yaml": null,
        },
        "the next revision",
      );
      await git(work, "push", "-q", "origin", "HEAD:main");

      const ran = await gitcron(["plan", "--repo", remote.url]);
      expect(ran.code).toBe(1);
      const [planText = "", rejectedText = ""] = ran.stdout.split("\nRejected files");
      expect(planText.trimEnd().split("\n")).toEqual([
        "= same   alpha  alpha.yaml",
        "~ change beta (schedule)  beta.yaml",
        "    schedule: 0 0 1 1 * → 0 0 2 1 *", // read from the revision the agent applied
        "= same   delta  delta.yaml",
        "+ add    gamma  gamma.yaml",
        "- remove gone  gone.yaml",
        "1 to add, 1 to change, 1 to remove, 2 unchanged.",
      ]);
      const plannedRejects = [...rejectedText.matchAll(/^(\S+\.yaml):\d+:\d+: error:/gm)].map(
        (m) => m[1],
      );
      expect(plannedRejects).toEqual(["alpha.yaml", "epsilon.yaml"]);

      // The agent applies the same revision: every line of the plan is what it did.
      await agent.sync.syncNow();
      const after = await stateAt(next);
      for (const line of planText
        .trimEnd()
        .split("\n")
        .slice(0, -1)
        .filter((l) => !l.startsWith(" "))) {
        const [, action, name] = /^. (\w+)\s+([\w-]+)/.exec(line) ?? [];
        const was = before.jobs[name as string];
        const now = after.jobs[name as string];
        if (action === "same") expect(now?.specHash).toBe(was?.specHash);
        if (action === "change") expect(now && was && now.specHash !== was.specHash).toBe(true);
        if (action === "add") expect(was === undefined && now !== undefined).toBe(true);
        if (action === "remove") expect(now).toBeUndefined();
      }
      expect(Object.keys(after.jobs).sort()).toEqual(["alpha", "beta", "delta", "gamma"]);
      expect(after.jobs.delta?.file).toBe("delta.yaml");
      expect(after.rejected.map((r) => r.file)).toEqual(plannedRejects);
    } finally {
      await agent.stop();
    }
  });
});
