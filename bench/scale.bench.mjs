// The agent (`gitcron agent`, the built binary) following a file:// bare repository of 5,000
// and then 20,000 job files, `--interval 1s`, schedules that do not fire during the run.
// Measured per size: seconds from spawn to /readyz 200, peak RSS (VmHWM), and seconds from
// the end of a `git push` changing one file to the agent's "sync applied" log line for that
// revision (then checked once in GET /jobs). The ratio column of the 20k rows is 20k / 5k:
// at most 4 means cost grows no faster than linearly. Baseline of ready: `git clone` of the
// same repository, the floor of any agent's start.
// Goals at 5,000: ready ≤ 10 s, RSS < 300 MiB, applied ≤ 3 s.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { git, IMAGE, makeJobsRepo, ready, startAgent, until } from "./agent-process.mjs";

const SIZES = (process.env.BENCH_SCALE_SIZES ?? "5000,20000").split(",").map(Number);
const QUICK_SIZES = [500, 2000];
/** Every limit is generous: a stuck agent must end the benchmark, not hang it. */
const READY_TIMEOUT_MS = 180_000;
const APPLY_TIMEOUT_MS = 60_000;
const MiB = 1024 * 1024;

/** A valid job that never fires during the benchmark (midnight on January 1st). */
const jobText = (i, month = 1) =>
  `schedule: "0 0 1 ${month} *"\nimage: ${IMAGE}\ncommand: ["echo", "job ${i}"]\nlabels: { shard: "${i % 50}" }\n`;
const jobFile = (i) => `jobs/job-${String(i).padStart(5, "0")}.yaml`;

const peakRssBytes = async (pid) => {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
};

async function measure(ctx, count) {
  const dir = path.join(ctx.tmp, `scale-${count}`);
  await mkdir(dir, { recursive: true });
  const repo = await makeJobsRepo(dir, count, (i) => [jobFile(i), jobText(i)]);

  const cloneStarted = performance.now();
  git(dir, "clone", "-q", repo.url, path.join(dir, "clone-baseline"));
  const cloneS = (performance.now() - cloneStarted) / 1000;

  const started = performance.now();
  // "sync applied" lines by revision.
  const applied = new Map();
  const running = await startAgent(ctx, {
    args: ["--repo", repo.url, "--interval", "1s", "--data-dir", path.join(dir, "data")],
    env: { GITCRON_STATUS_FLUSH: "10s" },
    onLog(entry) {
      if (entry.msg === "sync applied") applied.set(entry.revision, performance.now());
    },
  });
  const { agent, base, alive } = running;

  try {
    await ready(running, READY_TIMEOUT_MS, `agent ready with ${count} jobs`);
    const readyS = (performance.now() - started) / 1000;

    // One changed file: its schedule moves from January to February.
    await writeFile(path.join(repo.work, jobFile(0)), jobText(0, 2));
    git(repo.work, "commit", "-q", "-am", "change one job");
    git(repo.work, "push", "-q", repo.url, "main");
    const pushed = performance.now();
    const revision = git(repo.work, "rev-parse", "HEAD");
    const appliedAt = await until(
      () => {
        alive();
        return applied.get(revision);
      },
      { timeoutMs: APPLY_TIMEOUT_MS, what: `push applied with ${count} jobs` },
    );
    const appliedS = Math.max(0, (appliedAt - pushed) / 1000);
    const jobs = await (await fetch(`${base}/jobs`)).json();
    const changed = jobs.find((j) => j.name === "job-00000");
    if (changed?.schedule !== "0 0 1 2 *" || jobs.length !== count) {
      throw new Error(
        `GET /jobs after the push: ${jobs.length} jobs, job-00000 schedule ${changed?.schedule}`,
      );
    }
    const rss = await peakRssBytes(agent.pid);
    console.error(
      `scale ${count}: ready ${readyS.toFixed(2)} s (git clone ${cloneS.toFixed(2)} s), peak RSS ${(rss / MiB).toFixed(0)} MiB, push applied in ${appliedS.toFixed(2)} s`,
    );
    return { count, readyS, cloneS, rssMiB: rss / MiB, appliedS };
  } finally {
    await running.stop();
  }
}

const round = (n, digits = 2) => Number(n.toFixed(digits));

export default async function scaleBench(ctx) {
  const sizes = ctx.quick ? QUICK_SIZES : SIZES;
  const results = [];
  for (const count of sizes) results.push(await measure(ctx, count));
  const [small, large] = results;
  const factor = large ? large.count / small.count : 1;
  const rows = [];
  for (const r of results) {
    const atGoalSize = r === small;
    const growth = (key) =>
      r === large
        ? {
            ratio: round(r[key] / small[key]),
            goal: `ratio <= ${factor} (linear)`,
            pass: r[key] / small[key] <= factor,
          }
        : {};
    const group = `scale ${r.count}`;
    rows.push(
      {
        group,
        metric: `agent start to /readyz 200, ${r.count} jobs`,
        value: round(r.readyS),
        unit: "s",
        baseline: round(r.cloneS),
        baselineLabel: "git clone of the repository",
        ...(atGoalSize ? { goal: "<= 10 s", pass: r.readyS <= 10 } : growth("readyS")),
      },
      {
        group,
        metric: `peak RSS (VmHWM), ${r.count} jobs`,
        value: round(r.rssMiB, 0),
        unit: "MiB",
        ...(atGoalSize ? { goal: "< 300 MiB", pass: r.rssMiB < 300 } : growth("rssMiB")),
      },
      {
        group,
        metric: `push of one changed file to "sync applied", ${r.count} jobs, --interval 1s`,
        value: round(r.appliedS),
        unit: "s",
        ...(atGoalSize ? { goal: "<= 3 s", pass: r.appliedS <= 3 } : growth("appliedS")),
      },
    );
  }
  return rows;
}
