// Walking a tree of job files (on memfs): which files count, what names and paths come back.

import { Volume } from "memfs";
import { describe, expect, test } from "vitest";
import { UsageError } from "../../src/errors.js";
import { checkUniqueNames, type Fs, loadJobFile, loadJobTree } from "../../src/jobs/load.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import type { JobSpec } from "../../src/jobs/spec.js";

const JOB = 'schedule: "@daily"\nimage: alpine:3\n';

function memfs(files: Record<string, string>) {
  const vol = Volume.fromJSON(files, "/repo");
  // memfs's synchronous API matches node's in everything the loader calls.
  return { vol, fs: vol as unknown as Fs };
}

const options = (fs: Fs, cwd = "/repo") => ({
  fs,
  cwd,
  policy: defaultPolicy(),
  defaultTimezone: "UTC",
});

describe("loadJobTree", () => {
  test("reads *.yaml and *.yml below the folder, skipping dot-folders and other files", async () => {
    const { fs } = memfs({
      "jobs/backup.yaml": JOB,
      "jobs/team/report.yml": JOB,
      "jobs/.github/workflow.yaml": "on: push\n",
      "jobs/.hidden/x.yaml": "not: a job\n",
      "jobs/README.md": "# jobs\n",
      "jobs/notes.txt": "x",
    });
    const tree = await loadJobTree(["jobs"], options(fs));
    expect(tree.issues).toEqual([]);
    expect(tree.files).toEqual(["jobs/backup.yaml", "jobs/team/report.yml"]);
    expect(tree.specs.map((s) => [s.name, s.file])).toEqual([
      ["backup", "backup.yaml"],
      ["report", "team/report.yml"],
    ]);
  });

  test("issues name files relative to the working directory", async () => {
    const { fs } = memfs({ "jobs/a/broken.yaml": "image: alpine:3\n" });
    const tree = await loadJobTree(["/repo/jobs"], options(fs, "/repo/jobs"));
    expect(tree.issues.map((i) => `${i.file}:${i.line}:${i.col} ${i.rule}`)).toEqual([
      "a/broken.yaml:1:1 schema.required",
    ]);
    expect(tree.specs).toEqual([]);
  });

  test("a duplicate name is an error on both files, at each name", async () => {
    const { fs } = memfs({
      "jobs/backup.yaml": JOB,
      "jobs/other/copy.yaml": `# the same job again\nname: backup\n${JOB}`,
      "jobs/unique.yaml": JOB,
    });
    const tree = await loadJobTree(["jobs"], options(fs));
    const duplicates = tree.issues.filter((i) => i.rule === "name.duplicate");
    expect(duplicates.map((i) => `${i.file}:${i.line}:${i.col}`).sort()).toEqual([
      "jobs/backup.yaml:1:1",
      "jobs/other/copy.yaml:2:7",
    ]);
    expect(duplicates[0]?.message).toMatch(/also used by jobs\/other\/copy.yaml/);
  });

  test("files given one by one are read even without a .yaml suffix", async () => {
    const { fs } = memfs({ "jobs/nightly": JOB, "jobs/two.yaml": JOB });
    const tree = await loadJobTree(["jobs/nightly", "jobs/two.yaml", "jobs/two.yaml"], options(fs));
    expect(tree.files).toEqual(["jobs/nightly", "jobs/two.yaml"]);
    expect(tree.specs.map((s) => [s.name, s.file])).toEqual([
      ["nightly", "nightly"],
      ["two", "two.yaml"],
    ]);
    expect(tree.issues).toEqual([]);
  });

  test("a path that does not exist is a usage error", async () => {
    const { fs } = memfs({ "jobs/a.yaml": JOB });
    await expect(loadJobTree(["nope"], options(fs))).rejects.toThrow(UsageError);
    await expect(loadJobTree(["nope"], options(fs))).rejects.toThrow(
      "no such file or folder: nope",
    );
  });

  test("a symbolic link is an error on its own file, and its target is never read", async () => {
    const { vol, fs } = memfs({ "outside/secret.yaml": JOB, "jobs/real.yaml": JOB });
    vol.symlinkSync("/repo/outside/secret.yaml", "/repo/jobs/link.yaml");
    vol.symlinkSync("/repo/nowhere.yaml", "/repo/jobs/dangling.yaml");
    const reads: string[] = [];
    const watched = new Proxy(fs, {
      get: (target, key) =>
        key === "openSync"
          ? (file: string, flags: number) => {
              reads.push(String(file));
              return target.openSync(file, flags);
            }
          : Reflect.get(target, key),
    });
    const tree = await loadJobTree(["jobs"], options(watched));
    expect(tree.specs.map((s) => s.name)).toEqual(["real"]);
    expect(tree.issues.map((i) => [i.file, i.severity, i.rule])).toEqual([
      ["jobs/dangling.yaml", "error", "file.symlink"],
      ["jobs/link.yaml", "error", "file.symlink"],
    ]);
    expect(reads).toEqual(["/repo/jobs/real.yaml"]);
  });

  test("only what the walk did not see as a regular file is looked at (lstat) before it is opened", async () => {
    const { vol, fs } = memfs({ "jobs/a.yaml": JOB, "jobs/b.yaml": JOB });
    vol.symlinkSync("/repo/jobs/a.yaml", "/repo/jobs/link.yaml");
    const looked: string[] = [];
    const watched = new Proxy(fs, {
      get: (target, key) =>
        key === "lstatSync"
          ? (file: string) => {
              looked.push(String(file));
              return target.lstatSync(file);
            }
          : Reflect.get(target, key),
    });
    const tree = await loadJobTree(["jobs"], options(watched));
    expect(tree.specs.map((s) => s.name)).toEqual(["a", "b"]);
    expect(tree.issues.map((i) => [i.file, i.rule])).toEqual([["jobs/link.yaml", "file.symlink"]]);
    expect(looked).toEqual(["/repo/jobs/link.yaml"]);
  });

  test("node_modules and dot-folders are not walked", async () => {
    const { fs } = memfs({
      "jobs/a.yaml": JOB,
      "node_modules/pkg/.github/ci.yaml": "on: push\n",
      "node_modules/pkg/config.yml": "x: 1\n",
      ".github/workflows/ci.yaml": "on: push\n",
    });
    const tree = await loadJobTree(["."], options(fs));
    expect(tree.files).toEqual(["jobs/a.yaml"]);
    expect(tree.issues).toEqual([]);
  });

  test("thousands of files come back complete and in order", async () => {
    const files = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`jobs/j${String(i).padStart(4, "0")}.yaml`, JOB]),
    );
    const { fs } = memfs(files);
    const tree = await loadJobTree(["jobs"], options(fs));
    expect(tree.specs).toHaveLength(300);
    expect(tree.files).toEqual(Object.keys(files).sort());
  });
});

describe("loadJobFile", () => {
  test("reads one file and records the given spec path", async () => {
    const { fs } = memfs({ "jobs/x/report.yaml": JOB });
    const result = await loadJobFile("jobs/x/report.yaml", {
      ...options(fs),
      specFile: "x/report.yaml",
    });
    expect(result.spec?.file).toBe("x/report.yaml");
    expect(result.spec?.name).toBe("report");
  });
});

describe("checkUniqueNames", () => {
  const spec = (name: string, file: string) => ({ name, file }) as JobSpec;

  test("flags every holder of a shared name, and nothing else", async () => {
    const issues = await checkUniqueNames([
      spec("a", "a.yaml"),
      spec("b", "b.yaml"),
      spec("a", "x/a.yaml"),
      spec("a", "y/a.yml"),
    ]);
    expect(issues.map((i) => [i.file, i.rule])).toEqual([
      ["a.yaml", "name.duplicate"],
      ["x/a.yaml", "name.duplicate"],
      ["y/a.yml", "name.duplicate"],
    ]);
    expect(issues[0]?.message).toBe('job name "a" is also used by x/a.yaml, y/a.yml');
  });

  test("no duplicates, no issues", async () => {
    expect(await checkUniqueNames([spec("a", "a.yaml"), spec("b", "b.yaml")])).toEqual([]);
  });
});

describe("a file that cannot be read", () => {
  test("is an error on that file, and the other files are still checked", async () => {
    const { fs } = memfs({ "jobs/a.yaml": JOB, "jobs/b.yaml": JOB });
    // memfs ignores permissions, so the refusal is injected where the loader opens.
    const denying = new Proxy(fs, {
      get: (target, key) =>
        key === "openSync"
          ? (file: string, flags: number) => {
              if (String(file).endsWith("a.yaml"))
                throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
              return target.openSync(file, flags);
            }
          : Reflect.get(target, key),
    });
    const tree = await loadJobTree(["jobs"], options(denying));
    expect(tree.issues.map((i) => [i.file, i.rule, i.message])).toEqual([
      ["jobs/a.yaml", "file.read", "cannot read the file (EACCES)"],
    ]);
    expect(tree.specs.map((s) => s.name)).toEqual(["b"]);
  });
});
