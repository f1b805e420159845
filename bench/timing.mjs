// What the benchmark modules share: timing a command as a user runs it, and the median.

import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Wall time of one run, in ms; throws when the command does not exit 0. Standard output is
 * discarded: ajv-cli prints a line per file, and piping 10,000 of them to this process would
 * add ~100 ms that is not the work measured. */
export function timeOnce(command, args, env = process.env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(command)} ${args.join(" ")} failed (${result.status}): ${String(result.stderr).slice(-300)}`,
    );
  }
  return ms;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** p50, p90 and p99 (the value at index ⌊n·q⌋ of the sorted values) and the largest. */
export function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) };
}
