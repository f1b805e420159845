// The shipped CLI is an esbuild bundle (scripts/bundle.mjs) in which the job validator is
// ajv's standalone code made at build time, and the schema and version are inlined. These
// tests hold the bundle to the sources: same findings for every kind of invalid file, and no
// files of the package needed beside it.

import { execFileSync, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadJobTree } from "../../src/jobs/load.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { BIN, gitcron } from "../helpers/cli.js";
import { invalidCases } from "../jobs/invalid-cases.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gitcron-bundle-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the CLI bundle", () => {
  test("refuses every invalid file of the parser's table exactly as the sources do", async () => {
    // Cases that need another policy, size limit or file name are the parser's own business.
    const plain = invalidCases.filter((c) => !c.policy && !c.maxBytes && !c.file);
    expect(plain.length).toBeGreaterThan(30);
    const jobs = path.join(dir, "invalid");
    await mkdir(jobs);
    await Promise.all(
      plain.map((c, i) =>
        writeFile(path.join(jobs, `case-${String(i).padStart(2, "0")}.yaml`), c.text),
      ),
    );

    const ran = await gitcron(["validate", "--format", "json", "invalid"], { cwd: dir });
    const fromSources = await loadJobTree(["invalid"], {
      cwd: dir,
      policy: defaultPolicy(),
      defaultTimezone: "UTC",
    });

    expect(ran.code).toBe(1);
    const report = JSON.parse(ran.stdout) as { files: number; issues: unknown[] };
    expect(report.files).toBe(plain.length);
    const sorted = (issues: unknown[]) =>
      issues.map((i) => JSON.stringify(i)).sort((a, b) => a.localeCompare(b));
    expect(sorted(report.issues)).toEqual(sorted(fromSources.issues));
    // Every schema rule the table exercises comes out of the precompiled validator.
    const rules = new Set(fromSources.issues.map((i) => i.rule));
    for (const rule of ["schema.required", "schema.type", "schema.pattern", "schema.unknown"]) {
      expect(rules).toContain(rule);
    }
  });

  test("runs from a copy of its own folder, with no package files beside it", async () => {
    const lonely = path.join(dir, "lonely", "bin");
    await cp(path.dirname(BIN), lonely, { recursive: true });
    const entry = path.join(lonely, path.basename(BIN));
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    const schema = await readFile(new URL("../../schema/job.schema.json", import.meta.url), "utf8");

    const node = (args: string[]) =>
      execFileSync(process.execPath, [entry, ...args], { cwd: dir, encoding: "utf8" });
    expect(node(["--version"])).toBe(`gitcron ${pkg.version}\n`);
    expect(node(["schema"])).toBe(schema);
    await writeFile(path.join(dir, "ok.yaml"), 'schedule: "0 3 * * *"\nimage: alpine:3\n');
    expect(node(["validate", "ok.yaml"])).toMatch(/1 file, 0 errors/);
  });

  test("agent --log-format pretty writes readable lines, formatted inside the bundle", async () => {
    const jobs = path.join(dir, "pretty-jobs");
    await mkdir(jobs);
    await writeFile(path.join(jobs, "nightly.yaml"), 'schedule: "0 3 * * *"\nimage: alpine:3\n');
    const args = ["agent", "--repo", jobs, "--data-dir", path.join(dir, "pretty-data")];
    const agent = spawn(process.execPath, [
      BIN,
      ...args,
      "--listen",
      "127.0.0.1:0",
      "--log-format",
      "pretty",
    ]);
    let stderr = "";
    const exited = new Promise((resolve) => agent.on("exit", resolve));
    const added = new Promise<void>((resolve, reject) => {
      agent.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/job added/.test(stderr) && /agent started/.test(stderr)) resolve();
      });
      agent.on("exit", (code) => reject(new Error(`agent exited ${code}: ${stderr}`)));
    });
    try {
      await added;
    } finally {
      agent.kill("SIGTERM");
      await exited;
    }
    expect(stderr).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(gitcron\): agent started$/m);
    expect(stderr).toMatch(/^ {4}job: "nightly"$/m);
    expect(stderr).not.toMatch(/^\{"level"/m);
  });
});
