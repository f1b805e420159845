// 1,000 run summaries through the status store into a file:// bare repository, recorded as
// fast as the store accepts them (a minute's worth of a busy agent, compressed), with a
// realistic flush interval. Measured: pushes made, seconds until every record is on the
// remote, records lost or doubled. Goals: ≤ 30 pushes, 0 lost, 0 doubled. Baseline: the
// time of one push of one run, measured in the same repository, times 1,000 — what a
// push-per-run design would cost.

import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COUNT = Number(process.env.BENCH_STATUS_RUNS ?? 1000);
const JOBS = 50;
const FLUSH_MS = Number(process.env.BENCH_STATUS_FLUSH_MS ?? 2000);
const BRANCH = "gitcron-status";
/** 0: as fast as the store accepts; e.g. 60000 to spread the runs over a real minute. */
const SPREAD_MS = Number(process.env.BENCH_STATUS_SPREAD_MS ?? 0);

const { createStatusStore } = await import(
  pathToFileURL(path.join(ROOT, "dist/status/store.js")).href
);
const { StatusBranchWriter } = await import(
  pathToFileURL(path.join(ROOT, "dist/status/branch.js")).href
);
const { silentLogger } = await import(pathToFileURL(path.join(ROOT, "dist/log.js")).href);

const git = (cwd, ...args) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  });

function summary(i) {
  const job = `job-${String(i % JOBS).padStart(2, "0")}`;
  const scheduled = new Date(Date.UTC(2026, 10, 26, 3, 0, 0) + i * 1000);
  const finished = new Date(scheduled.getTime() + 1500);
  return {
    job,
    run: `${job}-${scheduled
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}-1`,
    attempt: 1,
    outcome: i % 7 === 0 ? "failed" : "succeeded",
    exitCode: i % 7 === 0 ? 1 : 0,
    reason: null,
    scheduledAt: scheduled.toISOString(),
    startedAt: new Date(scheduled.getTime() + 300).toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: 1200,
    image: "gitcron-test/busybox:1",
    imageDigest: null,
    revision: "0123456789abcdef0123456789abcdef01234567",
    trigger: "schedule",
    logTail: `line of output ${i}\n`.repeat(20),
  };
}

/** Every (run, attempt, outcome) on the remote's status branch, with how often it appears. */
function recordsOnRemote(bare) {
  const counts = new Map();
  const files = git(bare, "ls-tree", "-r", "--name-only", BRANCH)
    .split("\n")
    .filter((f) => f.startsWith("runs/") && f.endsWith(".jsonl"));
  for (const file of files) {
    for (const line of git(bare, "show", `${BRANCH}:${file}`).split("\n").filter(Boolean)) {
      const s = JSON.parse(line);
      const key = `${s.run}#${s.attempt}#${s.outcome}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

export default async function statusBench() {
  const dir = await mkdtemp(path.join(tmpdir(), "gitcron-bench-status-"));
  try {
    const bare = path.join(dir, "remote.git");
    git(dir, "init", "-q", "--bare", bare);
    const url = pathToFileURL(bare).href;

    // Baseline: one run, one push (after a first push that creates the branch).
    const single = new StatusBranchWriter({
      env: process.env,
      dir: path.join(dir, "single"),
      repoUrl: url,
      branch: `${BRANCH}-single`,
      history: 100,
      logger: silentLogger(),
    });
    await single.publish({ summaries: [summary(COUNT)], state: null });
    const singleStart = performance.now();
    await single.publish({ summaries: [summary(COUNT + 1)], state: null });
    const onePushMs = performance.now() - singleStart;

    const store = createStatusStore({
      git: { env: process.env },
      dataDir: path.join(dir, "data"),
      repoUrl: url,
      branch: BRANCH,
      history: 100,
      flushMs: FLUSH_MS,
      logger: silentLogger(),
    });
    let published = 0;
    const allPublished = store.events.next("published", (p) => {
      published += p.appended;
      return published >= COUNT;
    });
    store.start();
    const started = performance.now();
    const latencies = [];
    for (let i = 0; i < COUNT; i++) {
      const due = started + (SPREAD_MS * i) / COUNT;
      if (performance.now() < due) await new Promise((r) => setTimeout(r, due - performance.now()));
      const t = performance.now();
      await store.record(summary(i));
      latencies.push(performance.now() - t);
    }
    const recordedS = (performance.now() - started) / 1000;
    await allPublished;
    const deliveredS = (performance.now() - started) / 1000;
    const { pushes, failures } = store.counters();
    await store.stop();

    const onRemote = recordsOnRemote(bare);
    const lost =
      COUNT -
      [...Array(COUNT).keys()].filter((i) => {
        const s = summary(i);
        return onRemote.has(`${s.run}#${s.attempt}#${s.outcome}`);
      }).length;
    const doubled = [...onRemote.values()].filter((n) => n > 1).length;
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    console.log(
      `status: ${COUNT} runs recorded in ${recordedS.toFixed(2)} s (p99 ${p99.toFixed(1)} ms), on the remote after ${deliveredS.toFixed(2)} s, ${pushes} pushes, ${failures} failures, ${lost} lost, ${doubled} doubled; one push ${onePushMs.toFixed(0)} ms`,
    );
    const group = "status";
    // A burst must fit the issue's 30; runs spread over a real span may take one push per
    // flush interval plus the first, which goes at once.
    const maxPushes = SPREAD_MS ? 1 + Math.floor(SPREAD_MS / FLUSH_MS) : 30;
    return [
      {
        group,
        metric: `pushes for ${COUNT} runs recorded in ${SPREAD_MS ? `${SPREAD_MS / 1000}s` : "a burst"} (flush ${FLUSH_MS / 1000}s)`,
        value: pushes,
        unit: "pushes",
        goal: `<= ${maxPushes}`,
        pass: pushes <= maxPushes,
      },
      {
        group,
        metric: `seconds until all ${COUNT} runs are on the remote`,
        value: Number(deliveredS.toFixed(2)),
        unit: "s",
        baseline: Number(((onePushMs * COUNT) / 1000).toFixed(1)),
        baselineLabel: "one push per run (one measured push × runs)",
        ratio: Number((deliveredS / ((onePushMs * COUNT) / 1000)).toFixed(3)),
      },
      { group, metric: "runs lost", value: lost, unit: "runs", goal: "= 0", pass: lost === 0 },
      {
        group,
        metric: "runs recorded twice",
        value: doubled,
        unit: "runs",
        goal: "= 0",
        pass: doubled === 0,
      },
      {
        group,
        metric: "record() to disk, p99 (outbox write with fsync)",
        value: Number(p99.toFixed(2)),
        unit: "ms",
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
