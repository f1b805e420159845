// One fault test's world: a bare repository with job files (names prefixed per test), a clone
// to push from, data dirs for agents, an engine watch from the first moment, and at the end
// the ledger check over the status branch and the engine, written to the suite's tally.

import type Dockerode from "dockerode";
import { afterEach, expect, inject } from "vitest";
import type { StatusState } from "../../../src/status/state.js";
import type { RunSummary } from "../../../src/status/summary.js";
import { cleanupDocker, engine, TEST_IMAGE, uniqueName } from "../../helpers/docker.js";
import {
  type BareRepo,
  cloneRepo,
  commitFiles,
  createBareRepo,
  git,
  readFileAt,
  tempDirs,
} from "../../helpers/git.js";
import {
  type AgentProcess,
  type AgentProcessOptions,
  killAgent,
  startAgentProcess,
} from "./agent-process.js";
import { watchEngines } from "./engine-watch.js";
import { checkLedger, type LedgerReport, type Planted, statusRecords, tally } from "./ledger.js";

export const docker = engine();

/** A job file running `script` in the test image. */
export const jobYaml = (schedule: string, script: string, extra = "") =>
  `schedule: "${schedule}"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n${extra}`;

export interface FaultWorld {
  prefix: string;
  parent: string;
  remote: BareRepo;
  work: string;
  /** A fresh folder under the test's temp folder. */
  dir(name: string): string;
  push(files: Record<string, string | null>, message: string): Promise<string>;
  records(): Promise<RunSummary[]>;
  runsOf(job: string): Promise<RunSummary[]>;
  state(): Promise<StatusState | null>;
  /** Checks the three promises, tallies them with the faults injected, cleans up the engine.
   * `leftRunning`: runs the test left going in the engine on purpose, for a next start. */
  finish(
    faults: Record<string, number>,
    notes?: object,
    expected?: Planted & { leftRunning?: number },
  ): Promise<LedgerReport>;
  /** Removes containers and temp folders (afterEach; safe after finish). */
  cleanup(): Promise<void>;
}

export interface FaultWorldOptions {
  /** The engines the test's agents run on, all watched from the first moment and cleaned up
   * (default: the first engine alone). */
  engines?: readonly Dockerode[];
}

export async function faultWorld(
  test: string,
  files: (prefix: string) => Record<string, string>,
  { engines = [docker] }: FaultWorldOptions = {},
): Promise<FaultWorld> {
  const prefix = uniqueName("flt");
  const dirs = tempDirs("gitcron-faults-");
  const parent = await dirs.make(`${test}-`);
  const remote = await createBareRepo(parent, { files: files(prefix) });
  const work = await cloneRepo(remote.url, `${parent}/work`);
  const watch = watchEngines(engines, prefix);
  const records = () => statusRecords(remote.dir);
  let stopped = false;
  const cleanup = async () => {
    try {
      // A test that failed before its finish still closes the streams; a watch that failed
      // fails the test here.
      if (!stopped) await watch.stop();
    } finally {
      stopped = true;
      for (const e of engines) await cleanupDocker(e, prefix);
      await dirs.cleanup();
    }
  };
  return {
    prefix,
    parent,
    remote,
    work,
    dir: (name) => `${parent}/${name}`,
    async push(changes, message) {
      const sha = await commitFiles(work, changes, message);
      await git(work, "push", "-q", "origin", "HEAD:main");
      return sha;
    },
    records,
    runsOf: async (job) => (await records()).filter((r) => r.job === job),
    async state() {
      const text = await readFileAt(remote.dir, "gitcron-status", "state.json");
      return text ? (JSON.parse(text) as StatusState) : null;
    },
    async finish(faults, notes, { leftRunning = 0, ...planted } = {}) {
      const engineReport = await watch.stop();
      stopped = true;
      const ledger = checkLedger(await records(), engineReport, planted);
      await tally(inject("tallyFile"), {
        test,
        faults,
        ledger,
        ...(notes && { notes }),
      });
      expect(ledger.duplicates, "runs recorded twice").toEqual([]);
      expect(ledger.ranTwice, "runs the engine ran twice").toEqual([]);
      expect(ledger.lost, "runs the engine ran with no record").toEqual([]);
      expect(ledger.unseen, "runs recorded as run that no engine started").toEqual([]);
      expect(ledger.leftUnrecorded, "runs left in the engine with no record").toHaveLength(
        leftRunning,
      );
      expect(
        ledger.maxLive,
        `most containers of one job at once: ${ledger.overlaps.join("; ")}`,
      ).toBeLessThanOrEqual(1);
      return ledger;
    },
    cleanup,
  };
}

/** Polls `check` until it returns something other than undefined; fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Which of two agents leads now, by /readyz: 200 on the leader, 503 `standby` on the other. */
export async function leaderOf(
  a: AgentProcess,
  b: AgentProcess,
): Promise<[AgentProcess, AgentProcess]> {
  return until(
    "one leader and one standby",
    async () => {
      const [ra, rb] = [await a.get("/readyz"), await b.get("/readyz")];
      if (ra === 200 && rb === 503) return [a, b] as [AgentProcess, AgentProcess];
      if (rb === 200 && ra === 503) return [b, a] as [AgentProcess, AgentProcess];
      return undefined;
    },
    30_000,
  );
}

/** Worlds and agent processes of a test file, killed and removed after each test. */
export function faultHooks() {
  const worlds: FaultWorld[] = [];
  const agents: AgentProcess[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await killAgent(a);
    for (const w of worlds.splice(0)) await w.cleanup();
  });
  return {
    async world(
      test: string,
      files: (prefix: string) => Record<string, string>,
      options?: FaultWorldOptions,
    ) {
      const w = await faultWorld(test, files, options);
      worlds.push(w);
      return w;
    },
    /** The agent on the world's remote and data dir (default "data"). */
    async agent(w: FaultWorld, options: Partial<AgentProcessOptions> & { data?: string } = {}) {
      const { data = "data", ...rest } = options;
      const a = await startAgentProcess({ repo: w.remote.url, dataDir: w.dir(data), ...rest });
      agents.push(a);
      return a;
    },
  };
}
