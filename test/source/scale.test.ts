// 5,000 job files in one repository: the first sync lists them all, a sync with nothing new
// changes nothing, and a sync after one file changed reports exactly that file and reads it.
// How long each takes is measured by the bench (`npm run bench`, scale), not asserted here.

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

it(`syncs ${JOBS} job files, then none, then the one that changed`, async () => {
  const remote = createRemote(dirs.make("remote"));
  const files: Record<string, string> = {};
  for (let i = 0; i < JOBS; i++) {
    files[`jobs/team-${i % 50}/job-${i}.yaml`] =
      `schedule: "*/5 * * * *"\nimage: busybox\ncommand: [echo, "${i}"]\n`;
  }
  const base = importCommit(remote.bare, files, "5000 jobs");
  const source = createSource({
    env: process.env,
    repo: remote.url,
    path: "jobs",
    dataDir: dirs.make("data"),
    logger: silentLogger(),
  });
  const first = await source.sync(null);
  const noop = await source.sync(first.revision);
  importCommit(remote.bare, { "jobs/team-7/job-7.yaml": "schedule: '@daily'\n" }, "one", base);
  const one = await source.sync(noop.revision);
  await source.close();

  expect(first.files).toHaveLength(JOBS);
  expect(await first.read("team-3/job-1003.yaml")).toEqual({
    text: 'schedule: "*/5 * * * *"\nimage: busybox\ncommand: [echo, "1003"]\n',
  });
  expect(noop.changes).toEqual([]);
  expect(one.changes).toEqual([{ path: "team-7/job-7.yaml", kind: "modified" }]);
  expect(await one.read("team-7/job-7.yaml")).toEqual({ text: "schedule: '@daily'\n" });
}, 60_000);
