// `gitcron run JOB` of a job that runs `true`, against `docker run --rm` of the same image and
// command, interleaved in the same run so both see the same engine load. The container's own
// create/start/wait dominate both; what is left is gitcron's start-up (node, module loading,
// validating the file) and its extra engine calls. Goal (issue 28): ratio = gitcron / docker ≤ 1.2.
// Node 20 reads NODE_EXTRA_CA_CERTS at every start, before any of gitcron's code (~50 ms for a
// system bundle): where it is set, a third row times gitcron without it, so the two costs are
// told apart. The goal stays on the row with the environment as it is.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median, timeOnce } from "./timing.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GITCRON = path.join(ROOT, "dist/bin/gitcron.cjs");
const IMAGE = process.env.GITCRON_TEST_IMAGE ?? "gitcron-test/busybox:1";
const ITERATIONS = Number(process.env.BENCH_RUN_ITERATIONS ?? 20);

export default async function runBench() {
  const dir = await mkdtemp(path.join(tmpdir(), "gitcron-bench-run-"));
  const job = path.join(dir, "bench-true.yaml");
  await writeFile(job, `schedule: "@daily"\nimage: ${IMAGE}\ncommand: ["true"]\n`);
  try {
    // One untimed round each, so neither pays for a cold page cache.
    timeOnce(process.execPath, [GITCRON, "run", job]);
    timeOnce("docker", ["run", "--rm", IMAGE, "true"]);
    const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = process.env;
    const gitcron = [];
    const docker = [];
    const noCerts = [];
    for (let i = 0; i < ITERATIONS; i++) {
      gitcron.push(timeOnce(process.execPath, [GITCRON, "run", job]));
      docker.push(timeOnce("docker", ["run", "--rm", IMAGE, "true"]));
      if (extraCerts) noCerts.push(timeOnce(process.execPath, [GITCRON, "run", job], withoutCerts));
    }
    const g = median(gitcron);
    const d = median(docker);
    const ratio = g / d;
    console.log(
      `run true: gitcron ${g.toFixed(0)} ms, docker run --rm ${d.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`,
    );
    const n = extraCerts ? median(noCerts) : undefined;
    const withoutCertsRow = n && {
      group: "run",
      metric:
        "the same with NODE_EXTRA_CA_CERTS unset (this machine sets it; Node 20 reads it at start)",
      value: Math.round(n),
      unit: "ms",
      baseline: Math.round(d),
      baselineLabel: "docker run --rm, same image and command",
      ratio: Number((n / d).toFixed(2)),
    };
    return [
      {
        group: "run",
        metric: `gitcron run of a job running true (median of ${ITERATIONS})`,
        value: Math.round(g),
        unit: "ms",
        baseline: Math.round(d),
        baselineLabel: "docker run --rm, same image and command",
        ratio: Number(ratio.toFixed(2)),
        goal: "ratio <= 1.2",
        pass: ratio <= 1.2,
      },
      ...(withoutCertsRow ? [withoutCertsRow] : []),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
