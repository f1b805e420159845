// A typical team's status branch over a year (SPEC §10): 50 jobs every 5 minutes, each printing
// ~2 KiB of varied output, through the real status-branch writer with the agent's defaults
// (--status-flush 10s, --status-views 1m, --status-tail) into a file:// bare repository, a
// simulated day time-compressed. Each tick's 50 runs end over ~20 s, so they reach the branch
// in two batches 10 s apart, and the views follow when due, as the agent's store writes them.
// Measured: the remote's bytes per run after `git gc` against the gzip size of the records,
// and a year extrapolated from the day — with --status-keep forever (every run stays) and with
// the default 90d (the tip holds 90 days; the history is squashed daily).
//
// BENCH_TEAM_TAIL and BENCH_TEAM_VIEWS_MS (default: the agent's --status-tail, --status-views);
// BENCH_TEAM_HOURS (default 24) the simulated hours.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { createRemote, folderBytes, git, jobName, phaseLogger, record } from "./ledger-records.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BRANCH = "gitcron-status";
const JOBS = 50;
const EVERY_MS = 5 * 60_000;
const OUTPUT = 2048;
const YEAR_RUNS = (JOBS * (365 * 86_400_000)) / EVERY_MS;
const GOAL_BYTES = 1e9;

const dist = (p) => import(pathToFileURL(path.join(ROOT, "dist", p)).href);
const { StatusBranchWriter } = await dist("status/branch.js");
const { resolveSettings } = await dist("settings.js");
/** The agent's defaults: how often views are written, how much of a succeeded run's tail kept. */
const defaults = resolveSettings({ repo: "file:///bench" }, {}, ROOT);

export async function measureTeam(dir, { tail, hours, viewsEveryMs }) {
  const remote = createRemote(path.join(dir, "remote.git"));
  const day = Date.UTC(2026, 10, 26);
  let now = new Date(day);
  const { logger } = await phaseLogger();
  const writer = new StatusBranchWriter({
    env: process.env,
    now: () => now,
    dir: path.join(dir, "data", "status"),
    repoUrl: pathToFileURL(remote).href,
    branch: BRANCH,
    agent: "0123456789ab",
    history: 100,
    keepMs: null,
    succeededTailBytes: tail,
    ...(viewsEveryMs && { viewsEveryMs }),
    logger,
  });
  const records = [];
  const ticks = (hours * 3_600_000) / EVERY_MS;
  for (let t = 0; t < ticks; t++) {
    const at = day + t * EVERY_MS;
    const runs = Array.from({ length: JOBS }, (_, j) =>
      record(jobName(j), at, { outputBytes: OUTPUT, failRate: 0.02 }),
    );
    for (const [k, batch] of [runs.slice(0, 25), runs.slice(25)].entries()) {
      now = new Date(at + 10_000 * (k + 1));
      await writer.publish({ summaries: batch, state: null });
    }
    // As the agent's store does: with no run to push, lagging views go when they are due.
    const due = writer.viewsDueInMs();
    if (due !== null && now.getTime() + due < at + EVERY_MS) {
      now = new Date(now.getTime() + due);
      await writer.publish({ summaries: [], state: null });
    }
    // What reached the branch: a succeeded run's tail as the writer cut it.
    records.push(...runs);
  }
  git(remote, "gc", "--quiet", "--prune=now");
  const remoteBytes = await folderBytes(remote);
  const tipClone = path.join(dir, "tip.git");
  git(
    dir,
    "clone",
    "-q",
    "--bare",
    "--depth=1",
    "-b",
    BRANCH,
    pathToFileURL(remote).href,
    tipClone,
  );
  git(tipClone, "gc", "--quiet", "--prune=now");
  const tipBytes = await folderBytes(tipClone);
  const gzipBytes = gzipSync(Buffer.from(records.map((r) => JSON.stringify(r)).join("\n")), {
    level: 9,
  }).length;
  const written = await git(remote, "log", "-1", "--format=%H", BRANCH);
  return {
    runs: records.length,
    remotePerRun: remoteBytes / records.length,
    gzipPerRun: gzipBytes / records.length,
    tipPerDay: (tipBytes * 24) / hours,
    commit: written.trim(),
  };
}

export default async function ledgerTeamBench(ctx) {
  const tail = Number(process.env.BENCH_TEAM_TAIL ?? defaults.statusTailBytes);
  const viewsEveryMs = Number(process.env.BENCH_TEAM_VIEWS_MS ?? defaults.statusViewsMs);
  const hours = Number(process.env.BENCH_TEAM_HOURS ?? (ctx.quick ? 2 : 24));
  const dir = await mkdtemp(path.join(ctx.tmp ?? tmpdir(), "gitcron-bench-team-"));
  try {
    const r = await measureTeam(dir, { tail, hours, viewsEveryMs });
    const yearForever = r.remotePerRun * YEAR_RUNS;
    const year90 = r.tipPerDay * 90;
    const gb = (b) => Number((b / 1e9).toFixed(2));
    console.error(
      `ledger-team: ${r.runs} runs over ${hours} h, succeeded tails kept to ${tail} B: remote ${r.remotePerRun.toFixed(0)} B/run vs gzip of the full records ${r.gzipPerRun.toFixed(0)} B/run; a year forever ${gb(yearForever)} GB, with 90d ${gb(year90)} GB`,
    );
    return [
      {
        group: "ledger-team",
        metric: `remote bytes per run after git gc (50 jobs every 5 min, 2 KiB output, succeeded tails ${tail} B)`,
        value: Math.round(r.remotePerRun),
        unit: "B",
        baseline: Math.round(r.gzipPerRun),
        baselineLabel: "gzip of the records with whole tails",
        ratio: Number((r.remotePerRun / r.gzipPerRun).toFixed(2)),
      },
      {
        group: "ledger-team",
        metric: "a year of such runs on the remote, --status-keep forever",
        value: gb(yearForever),
        unit: "GB",
        goal: "≤ 1 GB",
        pass: yearForever <= GOAL_BYTES,
      },
      {
        group: "ledger-team",
        metric: "what the remote keeps with --status-keep 90d (the tip's 90 days)",
        value: gb(year90),
        unit: "GB",
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
