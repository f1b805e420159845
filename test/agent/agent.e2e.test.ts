// The agent end to end: a real bare repository, a real Docker engine, the status branch
// read back with git. Schedules are six-field (seconds) so runs come every few seconds.

import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import type { Agent } from "../../src/agent/agent.js";
import type { StatusState } from "../../src/status/state.js";
import type { RunSummary } from "../../src/status/summary.js";
import { watchEngine } from "../faults/helpers/engine-watch.js";
import { startTestAgent } from "../helpers/agent.js";
import {
  cleanupDocker,
  containersOfJob,
  engine,
  eventually,
  TEST_IMAGE,
  uniqueName,
} from "../helpers/docker.js";
import {
  type BareRepo,
  cloneRepo,
  commitFiles,
  createBareRepo,
  git,
  readFileAt,
  tempDirs,
} from "../helpers/git.js";
import { journalRuns, viewAt } from "../helpers/ledger.js";

const docker = engine();
const dirs = tempDirs("gitcron-agent-");

const job = (schedule: string, script: string, extra = "") =>
  `schedule: "${schedule}"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n${extra}`;

interface World {
  prefix: string;
  remote: BareRepo;
  work: string;
  agent: Agent;
  runs(name: string): Promise<RunSummary[]>;
  state(): Promise<StatusState | null>;
  push(files: Record<string, string | null>, message: string): Promise<string>;
}

let world: World | undefined;

async function startWorld(files: (prefix: string) => Record<string, string>): Promise<World> {
  const prefix = uniqueName("e2e");
  const parent = await dirs.make();
  const remote = await createBareRepo(parent, { files: files(prefix) });
  const work = await cloneRepo(remote.url, `${parent}/work`);
  const { agent } = await startTestAgent({
    repo: remote.url,
    dir: parent,
    flags: { interval: "1s", "status-flush": "1s" },
  });
  await agent.ready;
  world = {
    prefix,
    remote,
    work,
    agent,
    runs: (name) => journalRuns(remote.dir, "gitcron-status", name),
    state: async () => {
      const text = await readFileAt(remote.dir, "gitcron-status", "state.json");
      return text ? (JSON.parse(text) as StatusState) : null;
    },
    push: async (changes, message) => {
      const sha = await commitFiles(work, changes, message);
      await git(work, "push", "-q", "origin", "HEAD:main");
      return sha;
    },
  };
  return world;
}

beforeEach(() => {
  world = undefined;
});

afterEach(async () => {
  if (world) {
    await world.agent.stop();
    await cleanupDocker(docker, world.prefix);
  }
  await dirs.cleanup();
});

describe("the agent on a Git repository and a real engine", () => {
  it("runs jobs on time and records exit codes and log tails on the status branch", async () => {
    const w = await startWorld((p) => ({
      [`${p}-ok.yaml`]: job("*/2 * * * * *", "echo all good"),
      [`${p}-bad.yaml`]: job("*/2 * * * * *", "echo about to fail >&2; exit 3"),
    }));
    const ok = `${w.prefix}-ok`;
    const bad = `${w.prefix}-bad`;
    await eventually(
      async () => ((await w.runs(ok)).length >= 2 && (await w.runs(bad)).length >= 2) || undefined,
      20_000,
    );
    const okRuns = await w.runs(ok);
    const badRuns = await w.runs(bad);
    expect(okRuns[0]).toMatchObject({
      job: ok,
      outcome: "succeeded",
      exitCode: 0,
      logTail: "all good",
      trigger: "schedule",
    });
    expect(badRuns[0]).toMatchObject({
      job: bad,
      outcome: "failed",
      exitCode: 3,
      logTail: "about to fail",
    });
    for (const r of [...okRuns, ...badRuns]) {
      const lag = Date.parse(r.startedAt as string) - Date.parse(r.scheduledAt);
      // Never early; and not a catch-up long after its tick. How soon it starts is the
      // bench's to measure (bench/firing), not a test's: a loaded engine takes seconds.
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(10_000);
      expect(new Date(r.scheduledAt).getUTCSeconds() % 2).toBe(0);
    }
    const state = await w.state();
    expect(Object.keys(state?.jobs ?? {}).sort()).toEqual([bad, ok]);
    expect(state?.revision).toMatch(/^[0-9a-f]{40}$/);
    // Views lag the journal by up to --status-views; a stopping agent brings them up to it.
    await w.agent.stop();
    const view = await viewAt(w.remote.dir, "gitcron-status", ok);
    const recorded = await w.runs(ok);
    expect(view?.last.run).toBe(recorded.at(-1)?.run);
    expect(view?.counts.succeeded).toBe(recorded.length);
  });

  it("a job whose run outlasts its interval never has two containers at once, seen from the engine", async () => {
    const w = await startWorld((p) => ({ [`${p}-slow.yaml`]: job("* * * * * *", "sleep 2.5") }));
    const slow = `${w.prefix}-slow`;
    // From the engine's own events: a short poll could fall between two containers.
    const watch = watchEngine(docker, slow);
    onTestFinished(() => watch.stop().then(() => undefined));
    await eventually(async () => (watch.report().ranRuns.size >= 3 ? true : undefined), 15_000);
    const engineSaw = await watch.stop();
    expect(engineSaw.maxLive[slow], engineSaw.overlaps.join("; ")).toBe(1);
    const runs = await eventually(async () => {
      const r = await w.runs(slow);
      return r.length >= 2 ? r : undefined;
    }, 10_000);
    for (let i = 1; i < runs.length; i++) {
      const prev = runs[i - 1] as RunSummary;
      const cur = runs[i] as RunSummary;
      expect(Date.parse(cur.startedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(prev.finishedAt as string),
      );
    }
  });

  it("an invalid push keeps the last good spec and is listed in state.json; a deleted file stops the job", async () => {
    const w = await startWorld((p) => ({
      [`${p}-keep.yaml`]: job("* * * * * *", "echo version one"),
      // A second job: a revision that removes every job is held, not applied (docs/agent.md).
      [`${p}-stays.yaml`]: job("0 0 1 1 *", "echo stays"),
    }));
    const name = `${w.prefix}-keep`;
    const file = `${name}.yaml`;
    await eventually(async () => ((await w.runs(name)).length >= 1 ? true : undefined), 10_000);
    const bad = await w.push(
      { [file]: job("* * * * * *", "echo version two", "overlap: sometimes\n") },
      "break it",
    );
    await w.agent.sync.syncNow();
    const rejected = await eventually(async () => {
      const s = await w.state();
      return s?.revision === bad && s.rejected.length > 0 ? s.rejected : undefined;
    }, 10_000);
    expect(rejected).toEqual([
      {
        file,
        issues: [
          expect.objectContaining({ file, line: 4, rule: expect.stringMatching(/^schema\./) }),
        ],
      },
    ]);
    const before = (await w.runs(name)).length;
    await eventually(
      async () => ((await w.runs(name)).length >= before + 2 ? true : undefined),
      10_000,
    );
    const tails = (await w.runs(name)).map((r) => r.logTail);
    expect(tails.every((t) => t === "version one")).toBe(true);

    await w.push({ [file]: null }, "remove it");
    await w.agent.sync.syncNow();
    await eventually(async () => (w.agent.scheduler.has(name) ? undefined : true), 5_000);
    // A run that fired just before the removal finishes and is recorded; its container may not
    // exist yet when the job is dropped, so wait for the scheduler, not for the engine.
    await w.agent.scheduler.idle();
    expect(await containersOfJob(docker, name)).toHaveLength(0);
    await w.agent.status.flush();
    const settled = (await w.runs(name)).length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await containersOfJob(docker, name)).toHaveLength(0);
    await w.agent.status.flush();
    expect((await w.runs(name)).length).toBe(settled);
    expect(Object.keys((await w.state())?.jobs ?? {})).not.toContain(name);
  });

  it("in every commit of the status README, a job's next run is not before its last start", async () => {
    const w = await startWorld((p) => ({
      [`${p}-every.yaml`]: job("* * * * * *", "echo tick"),
      [`${p}-other.yaml`]: job("*/2 * * * * *", "sleep 0.5; echo tock"),
    }));
    await eventually(
      async () => (await w.runs(`${w.prefix}-every`)).length >= 6 || undefined,
      20_000,
    );
    // The README is a view: written at most once a --status-views, and when the agent stops.
    await w.agent.stop();
    const commits = (await git(w.remote.dir, "rev-list", "gitcron-status")).trim().split("\n");
    let rows = 0;
    for (const commit of commits) {
      const readme = (await readFileAt(w.remote.dir, commit, "README.md")) ?? "";
      for (const line of readme.split("\n").filter((l) => l.startsWith(`| ${w.prefix}`))) {
        const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
        const [lastStart, nextRun] = [cells[6], cells[7]];
        if (!lastStart || lastStart === "—" || !nextRun || nextRun === "—") continue;
        rows++;
        expect(Date.parse(nextRun), `${commit}: ${line}`).toBeGreaterThanOrEqual(
          Date.parse(lastStart),
        );
      }
    }
    expect(rows).toBeGreaterThanOrEqual(2);
  });
});

describe("the status README after a restart", () => {
  it("a missed tick recorded last leaves the last start of the run before it", async () => {
    const w = await startWorld((p) => ({
      [`${p}-once.yaml`]: job("*/3 * * * * *", "echo ran"),
    }));
    const name = `${w.prefix}-once`;
    const [ran] = await eventually(async () => {
      const runs = await w.runs(name);
      return runs.length > 0 ? runs : undefined;
    }, 20_000);
    await w.agent.stop();
    // Down for a few ticks: the next start records them as missed (missed: skip).
    await new Promise((r) => setTimeout(r, 4_000));
    const { agent } = await startTestAgent({
      repo: w.remote.url,
      dir: `${w.work}/..`,
      flags: { interval: "1s", "status-flush": "1s" },
    });
    w.agent = agent;
    // Any missed record: polling for it to be the newest can miss the seconds it is.
    await eventually(
      async () => ((await w.runs(name)).some((r) => r.outcome === "missed") ? true : undefined),
      20_000,
    );
    // The README is a view: the restarted agent's first push writes it, with the missed record
    // last unless a new run came in the same push; then the views follow at stop.
    await agent.stop();
    const rows: string[] = [];
    for (const commit of (await git(w.remote.dir, "rev-list", "gitcron-status")).split("\n")) {
      const readme = commit ? await readFileAt(w.remote.dir, commit, "README.md") : null;
      const row = readme?.split("\n").find((l) => l.startsWith(`| ${name}`));
      if (row) rows.push(row);
    }
    const missedLast = rows.filter((r) => /missed/.test(r.split(/(?<!\\)\|/)[3] ?? ""));
    // Whatever the README's last record, its last start is a run that started.
    for (const row of [...missedLast, rows[0] as string]) {
      const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
      expect(cells[6]).not.toBe("—");
      // Shown to the second, in the job's zone (UTC here).
      expect(cells[6]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
      expect(Date.parse(cells[6] as string)).toBeGreaterThanOrEqual(
        Math.floor(Date.parse(ran?.startedAt as string) / 1000) * 1000,
      );
    }
  });
  it("after a restart, and on a fresh data folder, a job's last run is read back from the status branch before it runs again", async () => {
    const w = await startWorld((p) => ({ [`${p}-rare.yaml`]: job("0 0 1 1 *", "echo once") }));
    const name = `${w.prefix}-rare`;
    expect(w.agent.scheduler.trigger(name).status).toBe("accepted");
    const [ran] = await eventually(async () => {
      const runs = await w.runs(name);
      return runs.length > 0 ? runs : undefined;
    }, 20_000);
    await w.agent.stop();
    const lastOf = (agent: Agent) => agent.scheduler.view().find((v) => v.spec.name === name)?.last;
    for (const dir of [`${w.work}/..`, await dirs.make()]) {
      const { agent } = await startTestAgent({
        repo: w.remote.url,
        dir,
        flags: { interval: "1s", "status-flush": "1s" },
      });
      w.agent = agent;
      const last = await eventually(async () => lastOf(agent) ?? undefined, 20_000);
      expect(last).toMatchObject({ run: ran?.run, outcome: "succeeded", logTail: "once" });
      await agent.stop();
    }
  });
});
