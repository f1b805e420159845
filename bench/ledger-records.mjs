// Run records as real jobs leave them, for the ledger benchmarks: seeded, so every run of a
// bench writes the same bytes, and varied as real output is — log lines of timestamps, words,
// numbers, hosts and ids, not one line repeated (which compresses far better than any real log).

import { execFileSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export const jobName = (i) => `job-${String(i).padStart(5, "0")}`;

/** A small seeded generator (xorshift). */
export function randomFor(...seeds) {
  let x = 0x9e3779b9;
  for (const s of seeds) x = (Math.imul(x ^ s, 2654435761) + 0x6b43a9b5) >>> 0;
  x ||= 1;
  return () => {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return x / 2 ** 32;
  };
}

const WORDS = (
  "fetched wrote rows from to table batch report export upload object bucket chunk retry " +
  "connected connecting closing query took ms bytes records skipped updated inserted deleted " +
  "cache warm cold index rebuilt vacuum analyze snapshot archive compressed checksum verified " +
  "partition shard replica lag offset commit topic consumer producer queue worker started done " +
  "ok warning notice info debug scanning found matched ignored expired rotated tenant customer " +
  "invoice order account session token refresh schedule window backlog throughput latency"
).split(" ");
const LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN"];

/** `bytes` of log output: one line after another, each its own mix. */
export function logText(random, startMs, bytes) {
  const lines = [];
  let size = 0;
  let t = startMs;
  while (size < bytes) {
    t += Math.floor(random() * 900);
    const words = Array.from(
      { length: 3 + Math.floor(random() * 7) },
      () => WORDS[Math.floor(random() * WORDS.length)],
    );
    const n = Math.floor(random() * 1e6);
    const id = Math.floor(random() * 2 ** 32).toString(16);
    const line = `${new Date(t).toISOString()} ${LEVELS[Math.floor(random() * LEVELS.length)]} ${words.join(" ")} n=${n} id=${id} host=db-${Math.floor(random() * 8)}.internal`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join("\n")}\n`.slice(-bytes);
}

/** One run summary of `job` due at `scheduledMs`, with `outputBytes` of output in its tail
 * (capped at 4 KiB, as the agent keeps it); `failRate` of them fail. */
export function record(job, scheduledMs, { outputBytes = 1024, failRate = 0.03 } = {}) {
  const random = randomFor(Number(job.slice(4)), Math.floor(scheduledMs / 1000));
  const failed = random() < failRate;
  const startedAt = scheduledMs + 40 + Math.floor(random() * 400);
  const durationMs = 300 + Math.floor(random() * 20_000);
  return {
    job,
    run: `${job}-${Math.floor(scheduledMs / 1000)}-1`,
    attempt: 1,
    outcome: failed ? "failed" : "succeeded",
    exitCode: failed ? 1 : 0,
    reason: null,
    scheduledAt: new Date(scheduledMs).toISOString(),
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(startedAt + durationMs).toISOString(),
    durationMs,
    image: "registry.example.com/team/report:1.4.2",
    imageDigest: "sha256:0f3c2e8b0c1e0f6a8a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b",
    revision: "0123456789abcdef0123456789abcdef01234567",
    trigger: "schedule",
    logTail: logText(random, startedAt, Math.min(4096, outputBytes)),
  };
}

export const git = (cwd, ...args) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
  });

/** A bare repository as the hosts users have serve it: partial fetches allowed. */
export function createRemote(file) {
  git(path.dirname(file), "init", "-q", "--bare", file);
  git(file, "config", "uploadpack.allowFilter", "true");
  return file;
}

export async function folderBytes(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** A logger that keeps the writer's per-phase times ("status branch published"). */
export async function phaseLogger() {
  const { default: pino } = await import("pino");
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
