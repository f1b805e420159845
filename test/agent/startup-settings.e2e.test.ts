// A setting the remote says no to ends a fresh agent at start-up with exit 2 and one sentence
// (SPEC §3, "Start-up"), instead of "sync failed" for ever; an agent with saved jobs keeps
// running them through the same failure. The built CLI, real bare repositories, Docker.

import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTestAgent } from "../helpers/agent.js";
import { gitcron } from "../helpers/cli.js";
import { TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { createBareRepo, takeOffline, tempDirs } from "../helpers/git.js";

const dirs = tempDirs("gitcron-startup-");
afterEach(() => dirs.cleanup());

const daily = `schedule: "0 3 * * *"\nimage: ${TEST_IMAGE}\ncommand: ["true"]\n`;

async function agentExit(args: string[], dir: string, env: Record<string, string> = {}) {
  const started = Date.now();
  const ran = await gitcron(
    ["agent", ...args, "--data-dir", `${dir}/data`, "--listen", "127.0.0.1:0", "--interval", "1s"],
    // Without the start-up check it would retry for ever: stopped (exit 0) to fail the test.
    { timeoutMs: 25_000, env },
  );
  return { ...ran, ms: Date.now() - started, lines: ran.stderr.trim().split("\n") };
}

/** Stopped at start-up: exit 2, within seconds, and `line` is all it wrote. */
function expectStoppedWith(ran: Awaited<ReturnType<typeof agentExit>>, line: string) {
  expect(ran.code).toBe(2);
  expect(ran.lines).toEqual([line]);
  expect(ran.ms).toBeLessThan(10_000);
}

describe("a fresh agent whose repository, branch or path is wrong", () => {
  it("--repo naming no repository: exit 2 within seconds, one line on stderr", async () => {
    const dir = await dirs.make();
    expectStoppedWith(
      await agentExit(["--repo", "file:///nonexistent.git"], dir),
      "gitcron agent: cannot sync git file:///nonexistent.git (default branch): git ls-remote failed: '/nonexistent.git' does not appear to be a git repository; check --repo",
    );
  });

  it("--branch the repository does not have: exit 2, one line", async () => {
    const dir = await dirs.make();
    const remote = await createBareRepo(dir, { files: { "jobs/a.yaml": daily } });
    expectStoppedWith(
      await agentExit(["--repo", remote.url, "--branch", "mian"], dir),
      `gitcron agent: cannot sync git ${remote.url} branch mian: the remote has no branch "mian"; check --branch, or leave it out for the remote's default branch`,
    );
  });

  it("--path missing from the first revision: exit 2 with the sentence last", async () => {
    const dir = await dirs.make();
    const remote = await createBareRepo(dir, { files: { "jobs/a.yaml": daily } });
    const ran = await agentExit(["--repo", remote.url, "--path", "job"], dir);
    expect(ran.code).toBe(2);
    expect(ran.lines.at(-1)).toMatch(
      new RegExp(
        `^gitcron agent: --path job is not in ${remote.url} at revision [0-9a-f]{12}; check --path$`,
      ),
    );
    expect(ran.ms).toBeLessThan(10_000);
  });
});

describe("Docker unreachable at start-up", () => {
  it("a missing socket, a refused port, an engine that never answers: exit 2, one sentence, nothing scheduled", async () => {
    const dir = await dirs.make();
    const remote = await createBareRepo(dir, { files: { [`${uniqueName("dk")}.yaml`]: daily } });
    // Accepts connections and never answers: a hung dockerd, a proxy with nothing behind it.
    const silent = createServer(() => {});
    const silentSocket = `${dir}/silent.sock`;
    await new Promise<void>((r) => silent.listen(silentSocket, r));
    try {
      const cases = [
        ["unix:///nonexistent.sock", "docker", "connect ENOENT /nonexistent.sock"],
        ["tcp://127.0.0.1:1", "docker", "connect ECONNREFUSED 127.0.0.1:1"],
        ["unix:///nonexistent.sock", "swarm", "connect ENOENT /nonexistent.sock"],
        [`unix://${silentSocket}`, "docker", "no answer within 10s"],
      ] as const;
      const runs = await Promise.all(
        cases.map(([host, runtime], i) =>
          agentExit(["--repo", remote.url, "--runtime", runtime], `${dir}/${i}`, {
            DOCKER_HOST: host,
          }),
        ),
      );
      for (const [i, [host, , why]] of cases.entries()) {
        const ran = runs[i] as Awaited<ReturnType<typeof agentExit>>;
        expect(ran.code, host).toBe(2);
        expect(ran.lines).toEqual([
          `gitcron agent: cannot reach the Docker engine at ${host}: ${why}; is dockerd running?`,
        ]);
        expect(ran.stdout).toBe("");
        // Before anything was scheduled: no job was applied, no run recorded.
        expect(existsSync(`${dir}/${i}/data/applied.json`)).toBe(false);
        expect(existsSync(`${dir}/${i}/data/outbox`)).toBe(false);
      }
    } finally {
      silent.close();
    }
  });
});

describe("an agent with saved jobs", () => {
  it("restarted while the remote is away keeps running them and retries", async () => {
    const dir = await dirs.make();
    const name = uniqueName("saved");
    const remote = await createBareRepo(dir, { files: { [`${name}.yaml`]: daily } });
    const first = await startTestAgent({ repo: remote.url, dir, flags: { interval: "1s" } });
    await first.agent.ready;
    await first.agent.stop();
    // Moved away, a file:// remote reads as "not a repository": the same answer as a typo.
    await takeOffline(remote);
    const again = await startTestAgent({ repo: remote.url, dir, flags: { interval: "1s" } });
    try {
      expect(again.agent.scheduler.view().map((v) => v.spec.name)).toEqual([name]);
      await again.agent.sync.syncNow();
      expect(again.agent.sync.lastError?.message).toMatch(/does not appear to be a git repository/);
      expect(again.agent.scheduler.view().map((v) => v.spec.name)).toEqual([name]);
    } finally {
      await again.agent.stop();
    }
  });
});
