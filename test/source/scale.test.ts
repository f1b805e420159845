// 5,000 job files: the agent must apply a pushed change within 3 s at --interval 1s, so one
// sync that brings one changed file must take well under a second.

import { execFileSync } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createSource } from "../../src/source/source.js";
import { createRemote, tempDirs } from "./helpers.js";

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const JOBS = 5000;

/** Commit straight into the bare repository: writing 5,000 files to a work tree would take
 * longer than everything measured here. */
function importCommit(
  bare: string,
  files: Record<string, string>,
  message: string,
  parent?: string,
) {
  const lines = [
    "commit refs/heads/main",
    "committer Test <test@example.com> 1700000000 +0000",
    `data ${Buffer.byteLength(message)}`,
    message,
    ...(parent ? [`from ${parent}`] : []),
  ];
  for (const [path, content] of Object.entries(files)) {
    lines.push(`M 100644 inline ${path}`, `data ${Buffer.byteLength(content)}`, content);
  }
  execFileSync("git", ["fast-import", "--quiet", "--force"], {
    cwd: bare,
    input: `${lines.join("\n")}\n`,
  });
  return execFileSync("git", ["rev-parse", "refs/heads/main"], {
    cwd: bare,
    encoding: "utf8",
  }).trim();
}

it(`syncs ${JOBS} job files, and then one changed file within a second`, async () => {
  const remote = createRemote(dirs.make("remote"));
  const files: Record<string, string> = {};
  for (let i = 0; i < JOBS; i++) {
    files[`jobs/team-${i % 50}/job-${i}.yaml`] =
      `schedule: "*/5 * * * *"\nimage: busybox\ncommand: [echo, "${i}"]\n`;
  }
  const base = importCommit(remote.bare, files, "5000 jobs");
  const source = createSource({
    repo: remote.url,
    path: "jobs",
    dataDir: dirs.make("data"),
    logger: silentLogger(),
  });
  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const result = await work();
    return { result, ms: Math.round(performance.now() - started) };
  };

  const first = await timed(() => source.sync(null));
  const noop = await timed(() => source.sync(first.result.revision));
  importCommit(remote.bare, { "jobs/team-7/job-7.yaml": "schedule: '@daily'\n" }, "one", base);
  const one = await timed(() => source.sync(noop.result.revision));
  await source.close();

  expect(first.result.files).toHaveLength(JOBS);
  expect(noop.result.changes).toEqual([]);
  expect(one.result.changes).toEqual([{ path: "team-7/job-7.yaml", kind: "modified" }]);
  console.info(
    `source, ${JOBS} jobs: first sync ${first.ms} ms, no-op ${noop.ms} ms, one change ${one.ms} ms`,
  );
}, 60_000);
