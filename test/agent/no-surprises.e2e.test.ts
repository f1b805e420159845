// What an ordinary action must not do quietly (issue 26): moving the jobs folder removes no job
// without being confirmed, and a job whose fromEnv variable the agent lacks is said at once.
// A real agent in this process, a bare repository, the Docker engine.

import { afterEach, describe, expect, it } from "vitest";
import type { Agent } from "../../src/agent/agent.js";
import { agentRoutes } from "../../src/agent/routes.js";
import type { AgentStatusState } from "../../src/agent/status-state.js";
import { startTestAgent } from "../helpers/agent.js";
import { cleanupDocker, engine, eventually, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import {
  cloneRepo,
  commitFiles,
  createBareRepo,
  git,
  readFileAt,
  tempDirs,
} from "../helpers/git.js";
import { captureLogger } from "../runtime/capture-log.js";
import { httpServers } from "../server/serve.js";

const docker = engine();
const dirs = tempDirs("gitcron-surprise-");
const agents: Agent[] = [];
const { serve } = httpServers();
let prefix = "";

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  if (prefix) await cleanupDocker(docker, prefix);
  await dirs.cleanup();
});

const job = (schedule: string, script: string, extra = "") =>
  `schedule: "${schedule}"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n${extra}`;

async function world(files: (p: string) => Record<string, string>) {
  prefix = uniqueName("surprise");
  const dir = await dirs.make();
  const remote = await createBareRepo(dir, { files: files(prefix) });
  const work = await cloneRepo(remote.url, `${dir}/work`);
  const log = captureLogger();
  const start = async (flags: Record<string, string> = {}, env: Record<string, string> = {}) => {
    const { agent, settings } = await startTestAgent({
      repo: remote.url,
      dir,
      logger: log.logger,
      env,
      flags: { interval: "1s", "status-flush": "1s", ...flags },
    });
    agents.push(agent);
    await agent.ready;
    const url = await serve(agentRoutes({ agent, settings, logger: log.logger }));
    /** GET /jobs as a user on loopback reads it, by job name. */
    const jobs = async () => {
      const body = (await (await fetch(`${url}/jobs`)).json()) as { name: string }[];
      return new Map(body.map((j) => [j.name, j as Record<string, unknown>]));
    };
    return Object.assign(agent, { jobs });
  };
  const state = async () => {
    const text = await readFileAt(remote.dir, "gitcron-status", "state.json");
    return text ? (JSON.parse(text) as AgentStatusState) : null;
  };
  const errors = (pattern: RegExp) =>
    log.records().filter((r) => r.level === 50 && pattern.test(String(r.msg)));
  return { dir, remote, work, log, start, state, errors };
}

describe("a revision that moves the jobs folder", () => {
  it("is held: the jobs keep running, the error is logged and in state.json; --allow-prune applies it", async () => {
    const w = await world((p) => ({
      [`jobs/${p}-a.yaml`]: job("* * * * * *", "echo a"),
      [`jobs/${p}-b.yaml`]: job("0 3 * * *", "echo b"),
    }));
    const a = `${prefix}-a`;
    const agent = await w.start({ path: "jobs" });
    const before = agent.revision();
    await git(w.work, "mv", "jobs", "crons");
    const moved = await commitFiles(w.work, {}, "move the jobs folder");
    await git(w.work, "push", "-q", "origin", "HEAD:main");
    await agent.sync.syncNow();
    await agent.sync.syncNow();

    expect(agent.revision()).toBe(before);
    expect(
      agent.scheduler
        .view()
        .map((v) => v.spec.name)
        .sort(),
    ).toEqual([a, `${prefix}-b`]);
    expect(agent.held()).toMatchObject({ revision: moved });
    const held = w.errors(/^revision held: /);
    // Once per revision, not once per sync.
    expect(held).toHaveLength(1);
    expect(held[0]?.msg).toBe(
      `revision held: --path jobs is not in revision ${moved.slice(0, 12)} (was the folder moved or renamed?); it would remove all 2 jobs; the jobs keep running as revision ${before?.slice(0, 12)} has them; to apply it, start the agent with --allow-prune ${moved.slice(0, 12)}`,
    );
    // Still running: a run of the every-second job starts after the move.
    const heldAt = Date.now();
    await eventually(async () => {
      const last = agent.scheduler.view().find((v) => v.spec.name === a)?.last;
      return last && Date.parse(last.startedAt ?? "") > heldAt ? true : undefined;
    }, 15_000);
    const state = await eventually(async () => {
      const s = await w.state();
      return s?.held ? s : undefined;
    }, 15_000);
    expect(state.held).toMatchObject({ revision: moved });
    expect(Object.keys(state.jobs)).toHaveLength(2);
    expect((await agent.jobs()).get(a)?.heldRevision).toMatchObject({ revision: moved });
    await agent.stop();

    // Confirmed: the same data folder, started with the held revision.
    const confirmed = await w.start({ path: "jobs", "allow-prune": moved.slice(0, 7) });
    expect(confirmed.revision()).toBe(moved);
    expect(confirmed.held()).toBeNull();
    expect(confirmed.scheduler.view()).toEqual([]);
  });
});

describe("a job whose fromEnv variable the agent lacks", () => {
  it("is logged at error once per job and variable, and shown in state.json", async () => {
    const w = await world((p) => ({
      [`${p}-backup.yaml`]: job(
        "0 3 * * *",
        "true",
        "env:\n  PGPASSWORD: { fromEnv: SECRET_PG }\n  TOKEN: { fromEnv: SECRET_TOKEN }\n",
      ),
      [`${p}-fine.yaml`]: job("0 3 * * *", "true", "env:\n  X: { fromEnv: SECRET_TOKEN }\n"),
    }));
    const backup = `${prefix}-backup`;
    const agent = await w.start({}, { SECRET_TOKEN: "t0ken" });
    expect(Object.fromEntries(agent.missingEnv())).toEqual({ [backup]: ["SECRET_PG"] });
    // Another revision, another sync: not said again.
    await commitFiles(w.work, { "README.md": "jobs\n" }, "unrelated");
    await git(w.work, "push", "-q", "origin", "HEAD:main");
    await agent.sync.syncNow();
    const said = w.errors(/fromEnv names/);
    expect(said.map((r) => [r.job, r.variable, r.msg])).toEqual([
      [
        backup,
        "SECRET_PG",
        `${backup}: fromEnv names SECRET_PG, which is not set in the agent's environment; its runs fail until the agent is started with it`,
      ],
    ]);
    const state = await eventually(async () => {
      const s = await w.state();
      return s?.jobs[backup] ? s : undefined;
    }, 15_000);
    expect(state.jobs[backup]?.missingEnv).toEqual(["SECRET_PG"]);
    expect(state.jobs[`${prefix}-fine`]?.missingEnv).toBeUndefined();
    const shown = await agent.jobs();
    expect(shown.get(backup)?.missingEnv).toEqual(["SECRET_PG"]);
    expect(shown.get(`${prefix}-fine`)).not.toHaveProperty("missingEnv");
  });
});

describe("a pushed change to a job", () => {
  it("is logged with each changed field as the file writes it, old → new", async () => {
    const w = await world((p) => ({
      [`${p}-report.yaml`]: job("0 3 * * *", "true", "timeout: 15m\n"),
    }));
    const report = `${prefix}-report`;
    const agent = await w.start();
    await commitFiles(
      w.work,
      { [`${report}.yaml`]: job("30 4 * * *", "true", "timeout: 30m\n") },
      "later and longer",
    );
    await git(w.work, "push", "-q", "origin", "HEAD:main");
    await agent.sync.syncNow();
    const changed = w.log.records().filter((r) => String(r.msg).startsWith("job changed"));
    expect(changed.map((r) => [r.job, r.msg, r.changes])).toEqual([
      [
        report,
        "job changed: schedule: 0 3 * * * → 30 4 * * *; timeout: 15m → 30m",
        ["schedule: 0 3 * * * → 30 4 * * *", "timeout: 15m → 30m"],
      ],
    ]);
  });
});
