// The status branch as a year-long run ledger: 1,000 jobs running once a minute is ~167 runs per
// commit at the agent's 10 s flush. The branch starts as a day leaves it (every job's runs.jsonl
// at its --history of 100 lines); then each commit goes through the real status-branch writer
// into a file:// bare repository, as fast as it takes them (time compressed), with the
// state.json the agent would write beside it. Measured, at 1,000 and at 5,000 jobs:
//   - publish time per commit (median, p90, and by phase) — goal ≤ 0.5 s at 5,000 jobs;
//   - the agent's data folder at its largest (it is tidied every 50 pushes), next to a fresh
//     depth-1 clone of the tip — goal < 100 MB;
//   - the remote's bytes per run after `git gc`, against the gzip size of the run
//     records themselves (the baseline) — goal ≤ 1.5 ×.
//
// BENCH_LEDGER_COMMITS (default 120: 20 minutes of such an agent) sets the commits per size;
// BENCH_LEDGER_SIZES (default "1000,5000") the job counts; BENCH_LEDGER_HISTORY (default 100,
// the agent's --history) the runs kept per job; BENCH_LEDGER_SEED (default: the history) the
// runs each job has at the start.

import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { median, percentiles } from "./timing.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BRANCH = "gitcron-status";
const PER_COMMIT = 167;
const HISTORY = Number(process.env.BENCH_LEDGER_HISTORY ?? 100);
const SEED_RUNS = Number(process.env.BENCH_LEDGER_SEED ?? HISTORY);

const { StatusBranchWriter } = await import(
  pathToFileURL(path.join(ROOT, "dist/status/branch.js")).href
);
const { default: pino } = await import("pino");

/** A logger that keeps the writer's per-phase times ("status branch published"). */
function phaseLogger() {
  const phases = [];
  const logger = pino(
    { level: "debug" },
    {
      write(line) {
        const entry = JSON.parse(line);
        if (entry.msg === "status branch published") phases.push(entry.ms);
      },
    },
  );
  return { logger, phases };
}

const git = (cwd, ...args) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  });

async function folderBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const jobName = (i) => `job-${String(i).padStart(5, "0")}`;

// A small seeded generator, so records vary as real ones do (durations, counts, log lines) and
// every run of the bench writes the same bytes.
function randomFor(job, minute) {
  let x = (minute * 2654435761) ^ (Number(job.slice(4)) * 40503);
  return () => {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return x / 2 ** 32;
  };
}

function summary(job, minute) {
  const random = randomFor(job, minute);
  const scheduled = new Date(Date.UTC(2026, 10, 26, 0, 0, 0) + minute * 60_000);
  const failed = random() < 0.05;
  const startedAt = scheduled.getTime() + 40 + Math.floor(random() * 400);
  const durationMs = 300 + Math.floor(random() * 20_000);
  const at = (ms) => new Date(startedAt + ms).toISOString();
  const rows = Math.floor(random() * 100_000);
  return {
    job,
    run: `${job}-${Math.floor(scheduled.getTime() / 1000)}-1`,
    attempt: 1,
    outcome: failed ? "failed" : "succeeded",
    exitCode: failed ? 1 : 0,
    reason: null,
    scheduledAt: scheduled.toISOString(),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: at(durationMs),
    durationMs,
    image: "registry.example.com/team/report:1.4.2",
    imageDigest: "sha256:0f3c2e8b0c1e0f6a8a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b",
    revision: "0123456789abcdef0123456789abcdef01234567",
    trigger: "schedule",
    logTail: [
      `${at(5)} connecting to db-${Math.floor(random() * 4)}.internal`,
      `${at(120 + Math.floor(random() * 900))} fetched ${rows} rows in ${Math.floor(random() * 9000)} ms`,
      failed
        ? `${at(durationMs - 3)} error: deadlock detected (pid ${Math.floor(random() * 65536)})`
        : `${at(durationMs - 3)} wrote report-${scheduled.toISOString().slice(0, 16)}.csv (${Math.floor(rows * 61.3)} bytes)`,
      "",
    ].join("\n"),
  };
}

/** The agent's clock just after a batch: a minute past the newest run's instant. */
const clockAfter = (runs) =>
  new Date(Math.max(...runs.map((r) => Date.parse(r.scheduledAt))) + 60_000);

/** The state the agent would hand over at `at` (its last sync then). */
function stateFor(jobs, at) {
  return {
    version: 1,
    revision: "0123456789abcdef0123456789abcdef01234567",
    agentVersion: "bench",
    lastSyncAt: at.toISOString(),
    syncErrors: { count: 0 },
    jobs: Object.fromEntries(
      Array.from({ length: jobs }, (_, i) => [
        jobName(i),
        {
          file: `${jobName(i)}.yaml`,
          schedule: "* * * * *",
          timezone: "UTC",
          specHash: "0123456789abcdef",
          suspended: false,
          nextRunAt: new Date(Math.ceil((at.getTime() + 1) / 60_000) * 60_000).toISOString(),
        },
      ]),
    ),
    rejected: [],
  };
}

async function measure(dir, jobs, commits) {
  const bare = path.join(dir, `remote-${jobs}.git`);
  git(dir, "init", "-q", "--bare", bare);
  const data = path.join(dir, `data-${jobs}`);
  const { logger, phases } = phaseLogger();
  // The README's next runs and state.json's refresh (every ten minutes of the agent's clock)
  // follow the simulated day, not the machine's clock.
  let now = new Date(Date.UTC(2026, 10, 26));
  const writer = new StatusBranchWriter({
    now: () => now,
    dir: path.join(data, "status"),
    repoUrl: pathToFileURL(bare).href,
    branch: BRANCH,
    history: HISTORY,
    logger,
  });
  // The branch as a long-running agent leaves it: every job has a full history.
  // Each job's runs.jsonl at its --history lines, as after the first hours of a day.
  const seedRuns = [];
  for (let m = 0; m < SEED_RUNS; m++)
    for (let j = 0; j < jobs; j++) seedRuns.push(summary(jobName(j), m));
  const seeded = performance.now();
  now = clockAfter(seedRuns.slice(-jobs));
  await writer.publish({ summaries: seedRuns, state: stateFor(jobs, now) });
  console.error(
    `ledger ${jobs} jobs: seeded ${SEED_RUNS} runs a job in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );

  const times = [];
  const sizes = [];
  let recordBytes = 0;
  let cursor = 0;
  // Both ends measured packed as tightly as Git packs them.
  git(bare, "gc", "--quiet", "--prune=now");
  const remoteBefore = await folderBytes(bare);
  for (let c = 1; c <= commits; c++) {
    const batch = [];
    for (let k = 0; k < PER_COMMIT; k++, cursor++) {
      const s = summary(jobName(cursor % jobs), SEED_RUNS + Math.floor(cursor / jobs));
      recordBytes += Buffer.byteLength(`${JSON.stringify(s)}\n`);
      batch.push(s);
    }
    now = clockAfter(batch);
    const t = performance.now();
    await writer.publish({ summaries: batch, state: stateFor(jobs, now) });
    times.push(performance.now() - t);
    if (c % 10 === 0 || c === commits) sizes.push(await folderBytes(data));
  }
  // The least any copy of the branch takes: a fresh clone of the tip alone.
  const tipClone = path.join(dir, `tip-${jobs}.git`);
  git(dir, "clone", "-q", "--bare", "--depth=1", "-b", BRANCH, pathToFileURL(bare).href, tipClone);
  const tipBytes = await folderBytes(tipClone);
  git(bare, "gc", "--quiet", "--prune=now");
  const remoteAfter = await folderBytes(bare);
  const runs = commits * PER_COMMIT;
  // The records themselves, compressed as one stream: what they cost at the least.
  const gzipBytes = gzipSync(
    Buffer.from(
      Array.from({ length: runs }, (_, i) =>
        JSON.stringify(summary(jobName(i % jobs), SEED_RUNS + Math.floor(i / jobs))),
      ).join("\n"),
    ),
    { level: 9 },
  ).length;
  const measured = phases.slice(1);
  const phaseMedians = Object.fromEntries(
    Object.keys(measured[0] ?? {}).map((k) => [k, median(measured.map((p) => p[k] ?? 0))]),
  );
  return {
    phaseMedians,
    jobs,
    commits,
    medianMs: median(times),
    p90Ms: percentiles(times).p90,
    dataPeakBytes: Math.max(...sizes),
    tipBytes,
    remotePerRun: (remoteAfter - remoteBefore) / runs,
    gzipPerRun: gzipBytes / runs,
    recordPerRun: recordBytes / runs,
  };
}

export default async function ledgerBench(ctx) {
  const commits = Number(process.env.BENCH_LEDGER_COMMITS ?? (ctx.quick ? 20 : 120));
  const sizes = (process.env.BENCH_LEDGER_SIZES ?? "1000,5000").split(",").map(Number);
  const dir = await mkdtemp(path.join(ctx.tmp ?? tmpdir(), "gitcron-bench-ledger-"));
  const rows = [];
  try {
    for (const jobs of sizes) {
      const r = await measure(dir, jobs, commits);
      const mb = (b) => (b / 1e6).toFixed(1);
      console.error(
        `ledger ${jobs} jobs, ${commits} commits of ${PER_COMMIT} runs: publish median ${r.medianMs.toFixed(0)} ms (p90 ${r.p90Ms.toFixed(0)}), data folder at most ${mb(r.dataPeakBytes)} MB (a depth-1 clone of the tip ${mb(r.tipBytes)} MB), remote ${r.remotePerRun.toFixed(0)} B/run after gc vs gzip of the records ${r.gzipPerRun.toFixed(0)} B/run (raw ${r.recordPerRun.toFixed(0)}); median ms by phase ${JSON.stringify(r.phaseMedians)}`,
      );
      rows.push(
        {
          group: "ledger",
          metric: `publish one commit of ${PER_COMMIT} runs, ${jobs} jobs (median of ${commits})`,
          value: Math.round(r.medianMs),
          unit: `ms (p90 ${Math.round(r.p90Ms)})`,
          goal: jobs >= 5000 ? "≤ 500 ms" : null,
          pass: jobs >= 5000 ? r.medianMs <= 500 : null,
        },
        {
          group: "ledger",
          metric: `agent data folder, largest over ${commits} commits, ${jobs} jobs`,
          value: Number((r.dataPeakBytes / 1e6).toFixed(1)),
          unit: "MB",
          baseline: Number((r.tipBytes / 1e6).toFixed(1)),
          baselineLabel: "a depth-1 clone of the tip",
          ratio: Number((r.dataPeakBytes / r.tipBytes).toFixed(2)),
          goal: "< 100 MB",
          pass: r.dataPeakBytes < 100e6,
        },
        {
          group: "ledger",
          metric: `remote bytes per run after git gc, ${jobs} jobs`,
          value: Math.round(r.remotePerRun),
          unit: "B",
          baseline: Math.round(r.gzipPerRun),
          baselineLabel: "gzip of the records",
          ratio: Number((r.remotePerRun / r.gzipPerRun).toFixed(1)),
          goal: "≤ 1.5 × gzip of the records",
          pass: r.remotePerRun <= 1.5 * r.gzipPerRun,
        },
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
