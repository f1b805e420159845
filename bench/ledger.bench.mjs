// The status branch as a run ledger at scale (SPEC §10): 5,000 jobs running every 5 minutes is
// ~167 runs per commit at the agent's 10 s flush. The branch starts as 23 h 30 min of such a day
// leave it (a journal file per 10 s, each job's view naming its last --history records), then
// the last 30 minutes of the day go through the real status-branch writer into a file:// bare
// repository, as fast as it takes them (time compressed, the writer's clock following the
// simulated day, so views are written as often as --status-views says). Measured:
//   - publish time per commit, median and p95 — goal ≤ 0.5 s each;
//   - the agent's data folder at its largest — goal < 100 MB;
//   - the remote's bytes per run after `git gc`, against the gzip size of the records as the
//     branch keeps them (one stream, level 9) — goal ≤ gzip + 100 B a run;
//   - `gitcron status` and `gitcron logs JOB -n 20` at the end of the day, as a user runs them
//     against the remote — goal ≤ 1 s.
// Seeded journal files hold real records where a reader reads them (the measured job's last
// runs); the others share one batch's bytes (they are only listed, never read).
//
// BENCH_LEDGER_COMMITS (default 180), BENCH_LEDGER_JOBS (default 5000), BENCH_LEDGER_HISTORY
// (default 100, the agent's --history), BENCH_LEDGER_OUTPUT (bytes of output a run, default
// 1024), BENCH_LEDGER_VIEWS_MS and BENCH_LEDGER_TAIL (default: the agent's --status-views and
// --status-tail).

import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { createRemote, folderBytes, git, jobName, phaseLogger, record } from "./ledger-records.mjs";
import { median, percentiles } from "./timing.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BRANCH = "gitcron-status";
const AGENT = "0123456789ab";
const PER_COMMIT = 167;
const FLUSH_MS = 10_000;
const DAY = Date.UTC(2026, 10, 26);

const dist = (p) => import(pathToFileURL(path.join(ROOT, "dist", p)).href);
const { StatusBranchWriter } = await dist("status/branch.js");
const { journalPath, journalRef, journalText } = await dist("status/journal.js");
const { viewText, cursorText } = await dist("status/views.js");
const { stateText } = await dist("status/state.js");
const { trimTail } = await dist("status/tail.js");
const { resolveSettings } = await dist("settings.js");
/** The agent's defaults: how often views are written, how much of a succeeded run's tail kept. */
const defaults = resolveSettings({ repo: "file:///bench" }, {}, ROOT);

/** Batch `c` of the day: the jobs it holds and when it was published. */
const batchJobs = (c, jobs) =>
  Array.from({ length: PER_COMMIT }, (_, k) => jobName((c * PER_COMMIT + k) % jobs));
const batchAt = (c) => DAY + (c + 1) * FLUSH_MS;
const batchRecords = (c, jobs, output) =>
  batchJobs(c, jobs).map((job) =>
    record(job, batchAt(c) - 5_000 - 30_000, { outputBytes: output }),
  );

function stateFor(jobs, at) {
  return {
    version: 1,
    revision: "0123456789abcdef0123456789abcdef01234567",
    agentVersion: "bench",
    lastSyncAt: new Date(at).toISOString(),
    syncErrors: { count: 0 },
    jobs: Object.fromEntries(
      Array.from({ length: jobs }, (_, i) => [
        jobName(i),
        {
          file: `${jobName(i)}.yaml`,
          schedule: "*/5 * * * *",
          timezone: "UTC",
          specHash: "0123456789abcdef",
          suspended: false,
          nextRunAt: null,
        },
      ]),
    ),
    rejected: [],
  };
}

/** The branch as `seeded` batches of the day leave it, written by one git fast-import. */
function seed(remote, { jobs, seeded, history, output, watched }) {
  const chunks = [];
  const data = (text) => {
    const bytes = Buffer.from(text);
    chunks.push(Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from("\n"));
  };
  const views = new Map();
  const shared = journalText(batchRecords(0, jobs, output));
  chunks.push(Buffer.from(`blob\nmark :1\n`));
  data(shared);
  chunks.push(
    Buffer.from(`commit refs/heads/${BRANCH}\ncommitter b <b@b> ${Math.floor(DAY / 1000)} +0000\n`),
  );
  data("seed: the day so far");
  for (let c = 0; c < seeded; c++) {
    const file = journalPath(new Date(batchAt(c)), AGENT);
    const ref = journalRef(file);
    const names = batchJobs(c, jobs);
    // Real bytes where the watched job's last runs are: `gitcron logs` reads them.
    const real = names.includes(watched) && c >= seeded - (jobs / PER_COMMIT) * (history + 2);
    if (real) {
      chunks.push(Buffer.from(`M 100644 inline ${file}\n`));
      data(journalText(batchRecords(c, jobs, output)));
    } else chunks.push(Buffer.from(`M 100644 :1 ${file}\n`));
    for (const job of names) {
      const view = views.get(job) ?? { job, journal: [], c: 0 };
      view.journal.push(ref);
      if (view.journal.length > history) view.journal.shift();
      view.c++;
      view.lastBatch = c;
      views.set(job, view);
    }
  }
  for (const [job, v] of views) {
    const last = { ...record(job, batchAt(v.lastBatch) - 35_000, { outputBytes: 0 }), logTail: "" };
    chunks.push(Buffer.from(`M 100644 inline jobs/${job}.json\n`));
    data(
      viewText({
        job,
        last,
        lastStarted: last,
        counts: { succeeded: v.c },
        journal: v.journal,
      }),
    );
  }
  chunks.push(Buffer.from("M 100644 inline views.json\n"));
  data(
    cursorText({
      through: journalRef(journalPath(new Date(batchAt(seeded - 1)), AGENT)),
      squashedAt: new Date(DAY).toISOString(),
    }),
  );
  chunks.push(Buffer.from("M 100644 inline state.json\n"));
  data(stateText(stateFor(jobs, batchAt(seeded - 1))));
  const input = Buffer.concat(chunks);
  const result = spawnSync("git", ["fast-import", "--quiet"], { cwd: remote, input });
  if (result.status !== 0) throw new Error(`seeding failed: ${result.stderr}`);
}

/** Median wall time of a gitcron command (3 runs), and its last output. */
function timeCli(args) {
  const times = [];
  let out = "";
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [path.join(ROOT, "dist/bin/gitcron.cjs"), ...args], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`gitcron ${args[0]} failed: ${r.stderr}`);
    out = r.stdout;
  }
  return { ms: median(times), out };
}

export async function measureLedger(dir, options) {
  const { jobs, commits, history, output, viewsEveryMs, tail } = options;
  const remote = createRemote(path.join(dir, `remote-${jobs}.git`));
  const seeded = Math.round((24 * 3600_000) / FLUSH_MS) - commits;
  const watched = jobName(0);
  const seededAt = performance.now();
  seed(remote, { jobs, seeded, history, output, watched });
  git(remote, "gc", "--quiet", "--prune=now");
  console.error(
    `ledger ${jobs} jobs: seeded ${seeded} journal files in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`,
  );
  const data = path.join(dir, `data-${jobs}`);
  const { logger, phases } = await phaseLogger();
  let now = new Date(batchAt(seeded - 1));
  const writer = new StatusBranchWriter({
    env: process.env,
    now: () => now,
    dir: path.join(data, "status"),
    repoUrl: pathToFileURL(remote).href,
    branch: BRANCH,
    agent: AGENT,
    history,
    viewsEveryMs,
    succeededTailBytes: tail,
    logger,
  });
  const remoteBefore = await folderBytes(remote);
  const times = [];
  const sizes = [];
  const records = [];
  for (let c = seeded; c < seeded + commits; c++) {
    const batch = batchRecords(c, jobs, output);
    records.push(...batch);
    now = new Date(batchAt(c));
    const t = performance.now();
    // Readers are measured as they find the branch at any moment: views lagging the journal.
    await writer.publish({ summaries: batch, state: stateFor(jobs, batchAt(c)) });
    times.push(performance.now() - t);
    if (c % 10 === 0) sizes.push(await folderBytes(data));
  }
  sizes.push(await folderBytes(data));
  git(remote, "gc", "--quiet", "--prune=now");
  const remoteAfter = await folderBytes(remote);
  const runs = records.length;
  // The records as the branch keeps them (a succeeded run's tail cut to --status-tail).
  const kept = records.map((r) =>
    r.outcome === "succeeded" ? { ...r, logTail: trimTail(r.logTail, tail) } : r,
  );
  const gzipBytes = gzipSync(Buffer.from(kept.map((r) => JSON.stringify(r)).join("\n")), {
    level: 9,
  }).length;
  const url = pathToFileURL(remote).href;
  const status = timeCli(["status", "--repo", url, "--format", "json"]);
  const shown = JSON.parse(status.out).jobs.length;
  if (shown !== jobs) throw new Error(`gitcron status showed ${shown} jobs, not ${jobs}`);
  const logs = timeCli(["logs", watched, "-n", "20", "--repo", url, "--format", "json"]);
  const logged = JSON.parse(logs.out).length;
  if (logged !== 20) throw new Error(`gitcron logs showed ${logged} runs, not 20`);
  // The first publish reads the branch (an agent's start); the rest are steady state.
  const steady = times.slice(1);
  const measured = phases.slice(1);
  return {
    jobs,
    commits,
    firstMs: times[0],
    medianMs: median(steady),
    p95Ms: [...steady].sort((a, b) => a - b)[Math.floor(steady.length * 0.95)],
    maxMs: Math.max(...steady),
    p90Ms: percentiles(steady).p90,
    phaseMedians: Object.fromEntries(
      Object.keys(measured.at(-1) ?? {}).map((k) => [k, median(measured.map((p) => p[k] ?? 0))]),
    ),
    dataPeakBytes: Math.max(...sizes),
    remotePerRun: (remoteAfter - remoteBefore) / runs,
    gzipPerRun: gzipBytes / runs,
    statusMs: status.ms,
    logsMs: logs.ms,
  };
}

export default async function ledgerBench(ctx) {
  const quick = ctx.quick;
  const options = {
    jobs: Number(process.env.BENCH_LEDGER_JOBS ?? (quick ? 1000 : 5000)),
    // 30 simulated minutes: the views are written twice, and at the end they lag by almost
    // --status-views, the most a reader meets.
    commits: Number(process.env.BENCH_LEDGER_COMMITS ?? (quick ? 20 : 180)),
    history: Number(process.env.BENCH_LEDGER_HISTORY ?? 100),
    output: Number(process.env.BENCH_LEDGER_OUTPUT ?? 1024),
    viewsEveryMs: Number(process.env.BENCH_LEDGER_VIEWS_MS ?? defaults.statusViewsMs),
    tail: Number(process.env.BENCH_LEDGER_TAIL ?? defaults.statusTailBytes),
  };
  const dir = await mkdtemp(path.join(ctx.tmp ?? tmpdir(), "gitcron-bench-ledger-"));
  try {
    const r = await measureLedger(dir, options);
    const { jobs, commits } = r;
    const mb = (b) => Number((b / 1e6).toFixed(1));
    console.error(
      `ledger ${jobs} jobs, ${commits} commits of ${PER_COMMIT} runs: first ${r.firstMs.toFixed(0)} ms, then median ${r.medianMs.toFixed(0)} ms, p95 ${r.p95Ms.toFixed(0)} ms; data ${mb(r.dataPeakBytes)} MB; remote ${r.remotePerRun.toFixed(0)} B/run vs gzip ${r.gzipPerRun.toFixed(0)} B/run; status ${r.statusMs.toFixed(0)} ms, logs ${r.logsMs.toFixed(0)} ms; phases ${JSON.stringify(r.phaseMedians)}`,
    );
    const big = jobs >= 5000;
    return [
      {
        group: "ledger",
        metric: `publish median, ${PER_COMMIT} runs a commit, ${jobs} jobs (${commits} commits)`,
        value: Math.round(r.medianMs),
        unit: "ms",
        goal: big ? "≤ 500 ms" : null,
        pass: big ? r.medianMs <= 500 : null,
      },
      {
        group: "ledger",
        metric: `publish p95, ${jobs} jobs`,
        value: Math.round(r.p95Ms),
        unit: "ms",
        goal: big ? "≤ 500 ms" : null,
        pass: big ? r.p95Ms <= 500 : null,
      },
      {
        group: "ledger",
        metric: `publish, largest (one that writes the views), ${jobs} jobs`,
        value: Math.round(r.maxMs),
        unit: "ms",
      },
      {
        group: "ledger",
        metric: `first publish (reads the branch, as at an agent's start), ${jobs} jobs`,
        value: Math.round(r.firstMs),
        unit: "ms",
      },
      {
        group: "ledger",
        metric: `agent data folder, largest over ${commits} commits, ${jobs} jobs`,
        value: mb(r.dataPeakBytes),
        unit: "MB",
        goal: "< 100 MB",
        pass: r.dataPeakBytes < 100e6,
      },
      {
        group: "ledger",
        metric: `remote bytes per run after git gc, ${jobs} jobs`,
        value: Math.round(r.remotePerRun),
        unit: "B",
        baseline: Math.round(r.gzipPerRun),
        baselineLabel: "gzip of the records as kept",
        ratio: Number((r.remotePerRun / r.gzipPerRun).toFixed(2)),
        goal: "≤ gzip + 100 B",
        pass: r.remotePerRun <= r.gzipPerRun + 100,
      },
      {
        group: "ledger",
        metric: `gitcron status at the end of the day, ${jobs} jobs`,
        value: Math.round(r.statusMs),
        unit: "ms",
        goal: big ? "≤ 1 s" : null,
        pass: big ? r.statusMs <= 1000 : null,
      },
      {
        group: "ledger",
        metric: `gitcron logs JOB -n 20 at the end of the day, ${jobs} jobs`,
        value: Math.round(r.logsMs),
        unit: "ms",
        goal: big ? "≤ 1 s" : null,
        pass: big ? r.logsMs <= 1000 : null,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
