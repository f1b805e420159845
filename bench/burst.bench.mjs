// 100 jobs due at the same instant on the real engine: the built agent follows a file://
// repository of 100 jobs scheduled `*/30 * * * * *` (--max-parallel 100, so that none waits
// for a slot), and the engine's own event stream says when each container started. Measured:
// the time from the scheduled instant to each start, p50 / p99 / last, and that every job
// started exactly once for that instant. Baseline, in the same run: 100 `docker run -d`
// launched in parallel at one instant, time to the last start. Goal: ratio ≤ 1.0 (the agent
// talks to the engine's API itself, no CLI process per run), none lost, none twice.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import Docker from "dockerode";
import { IMAGE, makeJobsRepo, ready, startAgent, until } from "./agent-process.mjs";
import { median, percentiles } from "./timing.mjs";

const JOBS = Number(process.env.BENCH_BURST_JOBS ?? 100);
const QUICK_JOBS = 20;
/** Seconds between the jobs' instants: a quick run waits for a nearer one. */
const periodS = (ctx) => (ctx.quick ? 10 : 30);

/** Container start events from the engine, with the engine's own time (ms) and labels. */
async function watchStarts(docker) {
  const starts = [];
  const stream = await docker.getEvents({
    filters: JSON.stringify({ type: ["container"], event: ["start"] }),
  });
  let rest = "";
  stream.on("data", (chunk) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines.filter(Boolean)) {
      const event = JSON.parse(line);
      starts.push({ at: event.timeNano / 1e6, labels: event.Actor?.Attributes ?? {} });
    }
  });
  return { starts, stop: () => stream.destroy() };
}

/** Sleeps until the wall clock reads `instant` (ms). */
const sleepUntil = (instant) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, instant - Date.now())));

async function burstOfAgent(ctx, docker, count, waitMs) {
  const dir = path.join(ctx.tmp, "burst");
  await mkdir(dir, { recursive: true });
  const prefix = `burst${process.pid}`;
  const repo = await makeJobsRepo(dir, count, (i) => [
    `${prefix}-${String(i).padStart(3, "0")}.yaml`,
    `schedule: "*/${periodS(ctx)} * * * * *"\nimage: ${IMAGE}\ncommand: ["true"]\n`,
  ]);
  const events = await watchStarts(docker);
  const running = await startAgent(ctx, {
    args: [
      "--repo",
      repo.url,
      "--data-dir",
      path.join(dir, "data"),
      "--max-parallel",
      String(count),
    ],
  });
  try {
    await ready(running, 60_000, `agent ready with ${count} jobs`);
    // The first boundary of the period at least 3 s away: every job is loaded and idle by then.
    const period = periodS(ctx) * 1000;
    const instant = Math.ceil((Date.now() + 3_000) / period) * period;
    const stamp = new Date(instant).toISOString().replace(/[-:]|\.\d{3}/g, "");
    const ofInstant = () =>
      events.starts.filter(
        (s) =>
          s.labels["gitcron.job"]?.startsWith(prefix) && s.labels["gitcron.run"]?.includes(stamp),
      );
    await until(() => (ofInstant().length >= count ? true : undefined), {
      timeoutMs: instant - Date.now() + waitMs,
      everyMs: 200,
      what: `${count} containers started for ${new Date(instant).toISOString()}`,
    });
    // A moment more, for a doubled start to show.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const starts = ofInstant();
    const jobs = new Set(starts.map((s) => s.labels["gitcron.job"]));
    return {
      lags: starts.map((s) => s.at - instant),
      lost: count - jobs.size,
      doubled: starts.length - jobs.size,
    };
  } finally {
    events.stop();
    await running.stop();
  }
}

async function burstOfDockerRun(docker, count) {
  const label = `gitcron-bench-burst=${process.pid}`;
  const events = await watchStarts(docker);
  try {
    const instant = Math.ceil((Date.now() + 2_000) / 1_000) * 1_000;
    await sleepUntil(instant);
    await Promise.all(
      Array.from({ length: count }, async () => {
        const child = spawn("docker", ["run", "-d", "--rm", "--label", label, IMAGE, "true"], {
          stdio: "ignore",
        });
        const [code] = await once(child, "exit");
        if (code !== 0) throw new Error(`docker run -d exited ${code}`);
      }),
    );
    const mine = () =>
      events.starts.filter((s) => s.labels["gitcron-bench-burst"] === String(process.pid));
    await until(() => (mine().length >= count ? true : undefined), {
      // An engine starts containers one after another, ~0.2–0.6 s each.
      timeoutMs: Math.max(60_000, count * 1_000),
      what: `${count} docker run -d started`,
    });
    return mine().map((s) => s.at - instant);
  } finally {
    events.stop();
  }
}

export default async function burstBench(ctx) {
  const count = ctx.quick ? QUICK_JOBS : JOBS;
  const docker = new Docker();
  const baseline = await burstOfDockerRun(docker, count);
  // The agent gets three times what the engine took for the baseline: a slow engine is not a
  // failure of the agent, and a lost start still ends the wait.
  const agent = await burstOfAgent(ctx, docker, count, Math.max(60_000, 3 * Math.max(...baseline)));
  const last = Math.max(...agent.lags);
  const baselineLast = Math.max(...baseline);
  console.error(
    `burst ${count}: gitcron start lag p50 ${median(agent.lags).toFixed(0)} ms, p99 ${percentiles(agent.lags).p99.toFixed(0)} ms, last ${last.toFixed(0)} ms (lost ${agent.lost}, doubled ${agent.doubled}); ${count} parallel docker run -d: p50 ${median(baseline).toFixed(0)} ms, last ${baselineLast.toFixed(0)} ms`,
  );
  const group = "burst";
  return [
    {
      group,
      metric: `${count} jobs due at one instant: last container started after`,
      value: Math.round(last),
      unit: "ms",
      baseline: Math.round(baselineLast),
      baselineLabel: `${count} docker run -d in parallel`,
      ratio: Number((last / baselineLast).toFixed(2)),
      goal: "ratio ≤ 1.0",
      pass: last <= baselineLast,
    },
    {
      group,
      metric: `${count} jobs due at one instant: start lag p50 / p99`,
      value: `${Math.round(median(agent.lags))} / ${Math.round(percentiles(agent.lags).p99)}`,
      unit: "ms",
      baseline: Math.round(median(baseline)),
      baselineLabel: "docker run -d p50",
    },
    {
      group,
      metric: `${count} jobs due at one instant: lost / started twice`,
      value: `${agent.lost} / ${agent.doubled}`,
      unit: "",
      goal: "= 0 / 0",
      pass: agent.lost === 0 && agent.doubled === 0,
    },
  ];
}
