// Pure rules of the source stage: which files are jobs, what --repo names, git's -z output,
// and why git failed.

import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { jobEntriesFromTree, refusalOf } from "../../src/source/git-objects.js";
import { gitReason } from "../../src/source/git-runner.js";
import { jobFileChanges } from "../../src/source/git-tree.js";
import { classifyRepo, isJobFile, normalizeJobsPath } from "../../src/source/job-files.js";

describe("job files", () => {
  it.each([
    ["backup.yaml", true],
    ["team/report.yml", true],
    ["UPPER.YAML", true],
    ["notes.txt", false],
    ["yaml", false],
    [".hidden.yaml", false],
    [".drafts/wip.yaml", false],
    ["team/.old/x.yml", false],
    ["team/x.yaml.bak", false],
  ])("%s is a job file: %s", (path, expected) => {
    expect(isJobFile(path)).toBe(expected);
  });

  it.each([
    [".", "."],
    ["", "."],
    ["./", "."],
    ["jobs", "jobs"],
    ["./jobs/", "jobs"],
    ["jobs//nightly/", "jobs/nightly"],
    ["a/../jobs", "jobs"],
  ])("--path %j is the jobs path %j", (path, expected) => {
    expect(normalizeJobsPath(path)).toBe(expected);
  });

  it.each(["/etc", "..", "../elsewhere", "jobs/../../x"])("--path %j is refused", (path) => {
    expect(() => normalizeJobsPath(path)).toThrow(UsageError);
  });
});

describe("what --repo names", () => {
  it.each([
    "https://github.com/acme/jobs.git",
    "ssh://git@example.com/acme/jobs.git",
    "file:///srv/git/jobs.git",
    "git@github.com:acme/jobs.git",
  ])("%s is a Git remote", (repo) => {
    expect(classifyRepo(repo)).toEqual({ type: "git", url: repo });
  });

  it("refuses a value git would read as an option", () => {
    expect(() => classifyRepo("--upload-pack=touch /tmp/x")).toThrow(UsageError);
  });
});

describe("git's -z output", () => {
  it("keeps job files below the jobs path, relative to it, with their modes and sizes", () => {
    const oid = "0123456789abcdef0123456789abcdef01234567";
    const tree = [
      `100644 blob ${oid}      12\tjobs/b.yaml`,
      `100755 blob ${oid}       3\tjobs/a.yml`,
      `120000 blob ${oid}      18\tjobs/link\nname.yaml`,
      `160000 commit ${oid}       -\tjobs/sub.yaml`,
      `100644 blob ${oid}       1\tjobs/.x/c.yaml`,
      `100644 blob ${oid}       1\tjobs/r.md`,
      `100644 blob ${oid}       1\tother/d.yaml`,
      `100644 blob ${oid}       1\tjobsx/e.yaml`,
      "",
    ];
    const entries = jobEntriesFromTree(tree.join("\0"), "jobs");
    expect([...entries]).toEqual([
      ["a.yml", { mode: "100755", oid, size: 3 }],
      ["b.yaml", { mode: "100644", oid, size: 12 }],
      ["link\nname.yaml", { mode: "120000", oid, size: 18 }],
      ["sub.yaml", { mode: "160000", oid, size: null }],
    ]);
    const rules = [...entries.values()].map((e) => {
      const refusal = refusalOf(e);
      return refusal && "refused" in refusal ? refusal.refused.rule : null;
    });
    expect(rules).toEqual([null, null, "file.symlink", "file.symlink"]);
    expect(refusalOf({ mode: "100644", oid, size: 300 * 1024 })).toEqual({
      refused: expect.objectContaining({ rule: "file.size" }),
    });
  });

  it("reads statuses into changes; a type change counts as modified", () => {
    const out = [
      "M",
      "jobs/a.yaml",
      "A",
      "jobs/n w.yaml",
      "D",
      "jobs/old.yaml",
      "T",
      "jobs/link.yaml",
      "M",
      "README.md",
      "",
    ];
    expect(jobFileChanges(out.join("\0"), "jobs")).toEqual([
      { path: "a.yaml", kind: "modified" },
      { path: "link.yaml", kind: "modified" },
      { path: "n w.yaml", kind: "added" },
      { path: "old.yaml", kind: "deleted" },
    ]);
  });
});

describe("why git failed", () => {
  it("picks the reason over git's boilerplate and hides credentials", () => {
    const output = [
      "ssh: connect to host example.com port 22: Connection refused",
      "fatal: Could not read from remote repository.",
      "",
      "Please make sure you have the correct access rights",
      "and the repository exists.",
    ].join("\n");
    expect(gitReason(output)).toBe("ssh: connect to host example.com port 22: Connection refused");
    expect(gitReason("fatal: unable to access 'https://u:pw@h/r.git/': timeout", ["pw"])).toBe(
      "unable to access 'https://***@h/r.git/': timeout",
    );
  });

  it("says where credentials come from when they are missing", () => {
    expect(
      gitReason("fatal: could not read Username for 'https://h': terminal prompts disabled"),
    ).toMatch(/GITCRON_GIT_TOKEN/);
  });
});
