// `gitcron validate` against ajv-cli on the same generated job files and the same schema.
// gitcron does more per file (YAML positions, cron parsing in the zone, policy), so the
// goal is only to be no slower: ratio = gitcron / ajv-cli ≤ 1.0.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median, timeOnce } from "./timing.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GITCRON = path.join(ROOT, "dist/bin/gitcron.cjs");
const AJV = path.join(ROOT, "node_modules/.bin/ajv");
const SIZES = (process.env.BENCH_SIZES ?? "2000,10000").split(",").map(Number);
/** Runs alternate between the two tools, so a slow moment of this noisy machine hits both. */
const RUNS = Number(process.env.BENCH_VALIDATE_RUNS ?? 7);

const ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];
const DAYS = ["*", "MON-FRI", "SUN", "1,3,5", "SAT"];

/** A realistic, valid job. `i` varies zone and options, and gives every file its own schedule
 * (up to 7,200 distinct), so gitcron's per-run memo of schedule checks gains nothing here. */
export function jobText(i) {
  const schedule = `${i % 60} ${Math.floor(i / 60) % 24} * * ${DAYS[Math.floor(i / 1440) % DAYS.length]}`;
  return `# yaml-language-server: $schema=../schema/job.schema.json
# generated job ${i}
schedule: "${schedule}"
timezone: ${ZONES[i % ZONES.length]}
image: ghcr.io/acme/job-${i % 97}:1.${i % 10}.0
command: ["run", "--shard", "${i}"]
user: "1000:1000"
env:
  LEVEL: info
  SHARD: "${i}"
  API_KEY: { fromEnv: SECRET_API_KEY_${i % 13} }
volumes:
  - volume: data-${i % 31}
    path: /data
resources: { cpus: 0.5, memory: ${64 + (i % 8) * 64}Mi }
timeout: ${5 + (i % 50)}m
overlap: ${["queue", "skip", "replace"][i % 3]}
retries: { limit: ${i % 4}, backoff: 30s }
labels: { team: team-${i % 9}, shard: "${i}" }
`;
}

async function generate(count) {
  const dir = await mkdtemp(path.join(tmpdir(), `gitcron-bench-${count}-`));
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) =>
        writeFile(path.join(dir, `job-${String(i + j).padStart(5, "0")}.yaml`), jobText(i + j)),
      ),
    );
  }
  return dir;
}

export default async function validateBench() {
  const rows = [];
  for (const count of SIZES) {
    const dir = await generate(count);
    try {
      const ajvArgs = [
        AJV,
        "validate",
        "--spec=draft2020",
        "--allow-union-types",
        "-s",
        "schema/job.schema.json",
        "-d",
        `${dir}/*.yaml`,
      ];
      const gitcronTimes = [];
      const ajvTimes = [];
      for (let run = 0; run < RUNS; run++) {
        gitcronTimes.push(timeOnce(process.execPath, [GITCRON, "validate", dir]));
        ajvTimes.push(timeOnce(process.execPath, ajvArgs));
      }
      const gitcron = median(gitcronTimes);
      const ajv = median(ajvTimes);
      const ratio = gitcron / ajv;
      console.log(
        `validate ${count} files: gitcron ${gitcron.toFixed(0)} ms, ajv-cli ${ajv.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`,
      );
      rows.push({
        group: "validate",
        metric: `gitcron validate, ${count} files (median of ${RUNS})`,
        value: Math.round(gitcron),
        unit: "ms",
        baseline: Math.round(ajv),
        baselineLabel: "ajv-cli validate, same files and schema",
        ratio: Number(ratio.toFixed(2)),
        goal: "ratio <= 1.0",
        pass: ratio <= 1.0,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
