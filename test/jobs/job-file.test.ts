// A job file is a regular file of bounded size with a printable name, read without following
// links: on the real disk, with the special files a hostile tree can hold.

import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseJobContent, readJobFileFromDisk } from "../../src/jobs/job-file.js";
import { loadJobTree } from "../../src/jobs/load.js";
import { defaultPolicy } from "../../src/jobs/policy.js";

const JOB = 'schedule: "@daily"\nimage: alpine:3\n';
const options = { policy: defaultPolicy(), defaultTimezone: "UTC" };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gitcron-job-file-"));
  writeFileSync(join(dir, "good.yaml"), JOB);
  writeFileSync(join(dir, "big.yaml"), `${JOB}# ${"x".repeat(300 * 1024)}\n`);
  symlinkSync("/proc/self/environ", join(dir, "environ.yaml"));
  symlinkSync("/dev/zero", join(dir, "zero.yaml"));
  symlinkSync(join(dir, "missing"), join(dir, "dangling.yaml"));
  mkdirSync(join(dir, "folder"));
  symlinkSync(join(dir, "folder"), join(dir, "to-folder.yaml"));
  execFileSync("mkfifo", [join(dir, "fifo.yaml")]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Each entry of the tree that is not a job file to read, and the rule that refuses it. */
const REFUSED = [
  ["environ.yaml", "file.symlink"],
  ["zero.yaml", "file.symlink"],
  ["dangling.yaml", "file.symlink"],
  ["to-folder.yaml", "file.symlink"],
  ["fifo.yaml", "file.type"],
  ["big.yaml", "file.size"],
  ["absent.yaml", "file.read"],
];

describe("readJobFileFromDisk", () => {
  test("a regular file is read", () => {
    expect(readJobFileFromDisk(join(dir, "good.yaml"))).toEqual({ text: JOB });
  });

  test.each(REFUSED)("%s is refused as %s, without reading it", (name, rule) => {
    const content = readJobFileFromDisk(join(dir, name));
    expect(content).toEqual({ refused: expect.objectContaining({ rule }) });
  });

  // What the walk saw as a regular file is not looked at again; what was swapped in since (a
  // link, a FIFO, a bigger file) is still refused when opened, by the same rule.
  test.each(REFUSED)("%s, seen as regular by the walk, is still refused as %s", (name, rule) => {
    const content = readJobFileFromDisk(join(dir, name), { regular: true });
    expect(content).toEqual({ refused: expect.objectContaining({ rule }) });
  });

  test("a regular file the walk saw is read without a look", () => {
    expect(readJobFileFromDisk(join(dir, "good.yaml"), { regular: true })).toEqual({ text: JOB });
  });

  test("a character device named directly is refused, not read", () => {
    expect(readJobFileFromDisk("/dev/zero")).toEqual({
      refused: expect.objectContaining({
        rule: "file.type",
        message: expect.stringMatching(/^a device/),
      }),
    });
  });
});

describe("a tree with hostile entries", () => {
  test("every other file is still judged; each bad entry is one error of its own", async () => {
    const tree = await loadJobTree([dir], { ...options, cwd: dir });
    expect(tree.specs.map((s) => s.name)).toEqual(["good"]);
    expect(tree.issues.map((i) => [i.file, i.rule])).toEqual([
      ["big.yaml", "file.size"],
      ["dangling.yaml", "file.symlink"],
      ["environ.yaml", "file.symlink"],
      ["fifo.yaml", "file.type"],
      ["to-folder.yaml", "file.symlink"],
      ["zero.yaml", "file.symlink"],
    ]);
    // Nothing of what a link points at is quoted anywhere.
    expect(JSON.stringify(tree.issues)).not.toMatch(/PATH=|HOME=/);
  });
});

describe("parseJobContent", () => {
  test("a file name with a control character is refused, shown without it", () => {
    const result = parseJobContent({ text: JOB }, "jobs/evil\n# heading.yaml", options);
    expect(result.spec).toBeUndefined();
    expect(result.issues).toEqual([
      expect.objectContaining({ file: "jobs/evil?# heading.yaml", rule: "file.name" }),
    ]);
  });
});
