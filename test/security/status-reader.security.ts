// A status branch someone pushed by hand (issue 25 item 10): anyone who can push the jobs
// repository can push its status branch, so `gitcron status` and `gitcron logs` read it as
// untrusted input. The payload is terminal control (ESC sequences rewrite the screen, BEL rings)
// in every field the CLI prints, and nested fields of the wrong type.

import { afterAll, describe, expect, it } from "vitest";
import { gitcron } from "../helpers/cli.js";
import { cloneRepo, commitFiles, createBareRepo, git, tempDirs } from "../helpers/git.js";
import { state, summary } from "../status/fixtures.js";

const dirs = tempDirs("gitcron-sec-status-");
afterAll(() => dirs.cleanup());

/** Terminal control: clear the screen, a title, a bell. */
const ESC = "\u001b[2J\u001b]0;owned\u0007";
/** A control byte a terminal acts on: any C0 or C1 character but the newline. */
const RAW_CONTROL = /(?!\n)\p{Cc}/u;

/** A bare repository whose status branch holds `files`, committed by git as a person would. */
async function handPushedBranch(files: Record<string, string>) {
  const parent = await dirs.make();
  const remote = await createBareRepo(parent, { files: { "README.md": "jobs\n" } });
  const work = await cloneRepo(remote.url, `${parent}/work`);
  await git(work, "checkout", "-q", "--orphan", "gitcron-status");
  await git(work, "rm", "-q", "-rf", ".");
  await commitFiles(work, files, "hand-pushed");
  await git(work, "push", "-q", "origin", "HEAD:refs/heads/gitcron-status");
  return remote;
}

describe("issue 25 item 10: a hand-pushed status branch", () => {
  it("control characters in every printed field reach the terminal as \\xNN", async () => {
    const job = "nightly";
    const hostile = state([job], {
      revision: `0123456789ab${ESC}`,
      agentVersion: `0.1.0${ESC}`,
      lastSyncAt: `2026-11-26T03:00:00Z${ESC}`,
      syncErrors: { count: 1, last: { at: "2026-11-26T03:00:00Z", message: ESC } },
      rejected: [
        {
          file: `bad${ESC}.yaml`,
          issues: [
            {
              file: `bad${ESC}.yaml`,
              line: 1,
              col: 1,
              severity: "error",
              rule: `schema${ESC}`,
              message: `broken${ESC}`,
              hint: `fix it${ESC}`,
            },
          ],
        },
      ],
    });
    const active = hostile.jobs[job];
    if (active) Object.assign(active, { schedule: `0 3 * * *${ESC}`, timezone: `UTC${ESC}` });
    const record = summary(job, 1, {
      run: `${job}-run${ESC}`,
      reason: `because${ESC}`,
      outcome: "error",
      logTail: `tail${ESC}\n`,
      image: `img${ESC}`,
      revision: `rev${ESC}`,
    });
    const remote = await handPushedBranch({
      "state.json": JSON.stringify(hostile),
      "runs/2026-11-26/03/0100-hand.jsonl": `${JSON.stringify(record)}\n`,
    });

    const status = await gitcron(["status", "--repo", remote.url]);
    const logs = await gitcron(["logs", job, "--repo", remote.url]);
    // It reached the CLI: each field is printed, only made visible.
    expect(status).toMatchObject({ code: 0, stderr: "" });
    expect(logs).toMatchObject({ code: 0, stderr: "" });
    expect(status.stdout).toContain("\\x1b[2J\\x1b]0;owned\\x07");
    for (const field of ["bad", "broken", "fix it", "schema", "0.1.0", "UTC"])
      expect(status.stdout).toContain(`${field}\\x1b[2J`);
    for (const field of ["run", "because", "tail"])
      expect(logs.stdout).toContain(`${field}\\x1b[2J`);
    expect(status.stdout).not.toMatch(RAW_CONTROL);
    expect(logs.stdout).not.toMatch(RAW_CONTROL);
  });

  it("a state.json whose nested fields have the wrong types is one sentence, exit 2", async () => {
    const bad = state(["nightly"]) as unknown as Record<string, unknown>;
    const shapes: Record<string, unknown>[] = [
      { ...bad, jobs: { nightly: { schedule: 5, timezone: ["UTC"] } } },
      { ...bad, rejected: [{ file: "x.yaml", issues: "none" }] },
      { ...bad, rejected: [{ file: "x.yaml", issues: [{ file: 1, line: "a" }] }] },
      { ...bad, syncErrors: null },
      { ...bad, agentVersion: { toString: 1 } },
    ];
    for (const shape of shapes) {
      const remote = await handPushedBranch({ "state.json": JSON.stringify(shape) });
      const ran = await gitcron(["status", "--repo", remote.url]);
      expect(ran.code, JSON.stringify(shape)).toBe(2);
      expect(ran.stdout).toBe("");
      expect(ran.stderr).toMatch(
        /^gitcron status: state\.json on "gitcron-status" is not a gitcron state[^\n]*\n$/,
      );
    }
  });
});
