// `gitcron run JOB` of a job that runs `true`, against `docker run --rm` of the same image and
// command, interleaved in the same run so both see the same engine load. The container's own
// create/start/wait dominate both; what is left is gitcron's start-up (node, module loading,
// validating the file) and its extra engine calls. Goal (issue 28): ratio = gitcron / docker ≤ 1.2,
// for the command as users run it: dist/bin/gitcron, the launcher npm installs.
// Node 20 reads NODE_EXTRA_CA_CERTS at every start, before any script (~50 ms for a system
// bundle); the launcher starts Node without it for `run` on the local socket. Where the variable
// is set, a second row times the bundle started by node directly, with it, so the cost the
// launcher saves is shown.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median, timeOnce } from "./timing.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GITCRON = path.join(ROOT, "dist/bin/gitcron");
const BUNDLE = path.join(ROOT, "dist/bin/gitcron.cjs");
const IMAGE = process.env.GITCRON_TEST_IMAGE ?? "gitcron-test/busybox:1";
const ITERATIONS = Number(process.env.BENCH_RUN_ITERATIONS ?? 20);

export default async function runBench() {
  const dir = await mkdtemp(path.join(tmpdir(), "gitcron-bench-run-"));
  const job = path.join(dir, "bench-true.yaml");
  await writeFile(job, `schedule: "@daily"\nimage: ${IMAGE}\ncommand: ["true"]\n`);
  try {
    // One untimed round each, so neither pays for a cold page cache.
    timeOnce(GITCRON, ["run", job]);
    timeOnce("docker", ["run", "--rm", IMAGE, "true"]);
    const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
    const gitcron = [];
    const docker = [];
    const withCerts = [];
    for (let i = 0; i < ITERATIONS; i++) {
      gitcron.push(timeOnce(GITCRON, ["run", job]));
      docker.push(timeOnce("docker", ["run", "--rm", IMAGE, "true"]));
      if (extraCerts) withCerts.push(timeOnce(process.execPath, [BUNDLE, "run", job]));
    }
    const g = median(gitcron);
    const d = median(docker);
    const ratio = g / d;
    console.log(
      `run true: gitcron ${g.toFixed(0)} ms, docker run --rm ${d.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`,
    );
    const n = extraCerts ? median(withCerts) : undefined;
    const withCertsRow = n && {
      group: "run",
      metric:
        "node dist/bin/gitcron.cjs run, without the launcher: Node 20 loads NODE_EXTRA_CA_CERTS",
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
      ...(withCertsRow ? [withCertsRow] : []),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
