// Pure rules of the source stage: which files are jobs, what --repo names, git's -z output,
// and the environment git runs with.

import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { jobEntriesFromTree, parseBatch, refusalOf } from "../../src/source/git-objects.js";
import { gitEnvironment, gitReason } from "../../src/source/git-runner.js";
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

  it("reads a cat-file batch into blobs by id, skipping missing ones", () => {
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    const out = Buffer.concat([
      Buffer.from(`${a} blob 5\nx\ny\nz\n`),
      Buffer.from(`${"c".repeat(40)} missing\n`),
      Buffer.from(`${b} blob 0\n\n`),
    ]);
    const blobs = parseBatch(out);
    expect([...blobs].map(([id, data]) => [id, data.toString()])).toEqual([
      [a, "x\ny\nz"],
      [b, ""],
    ]);
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

describe("the environment git runs with", () => {
  const base = { PATH: "/usr/bin", EDITOR: "vim", GIT_PAGER: "less" };

  it("never prompts and drops interactive-only variables", () => {
    const env = gitEnvironment({ url: "https://example.com/r.git" }, base);
    expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "false", PATH: "/usr/bin" });
    expect(env.EDITOR).toBeUndefined();
    expect(env.GIT_PAGER).toBeUndefined();
    expect(env.GIT_SSH_COMMAND).toBe("ssh -o BatchMode=yes");
  });

  it("scopes the token header to the https origin, after config the user already set", () => {
    const env = gitEnvironment(
      { url: "https://user@example.com:8443/acme/r.git", gitToken: "t0ken" },
      { ...base, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "a.b", GIT_CONFIG_VALUE_0: "c" },
    );
    expect(env.GIT_CONFIG_COUNT).toBe("4");
    expect(env.GIT_CONFIG_KEY_0).toBe("a.b");
    // The URL's user information reaches git here, never in argv or .git/config.
    expect(env.GIT_CONFIG_KEY_2).toBe("url.https://user@example.com:8443/acme/r.git.insteadOf");
    expect(env.GIT_CONFIG_VALUE_2).toBe("https://example.com:8443/acme/r.git");
    expect(env.GIT_CONFIG_KEY_3).toBe("http.https://example.com:8443/.extraHeader");
    expect(env.GIT_CONFIG_VALUE_3).toBe(
      `Authorization: Basic ${Buffer.from("x-access-token:t0ken").toString("base64")}`,
    );
  });

  it("sends no token to ssh remotes", () => {
    const env = gitEnvironment({ url: "git@example.com:acme/r.git", gitToken: "t0ken" }, base);
    expect(JSON.stringify(env)).not.toContain(
      Buffer.from("x-access-token:t0ken").toString("base64"),
    );
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
