import { describe, expect, it } from "vitest";
import { wrongSettingOf } from "../../src/source/source-error.js";

// What git prints when a remote says no, as GitHub, GitLab, Gitea and a local path answer.
describe("wrongSettingOf: a remote's no, told apart from a network that may heal", () => {
  it.each([
    ["fatal: '/nonexistent.git' does not appear to be a git repository", "repository"],
    [
      "remote: Repository not found.\nfatal: repository 'https://github.com/acme/jbos.git/' not found",
      "repository",
    ],
    ["ERROR: Repository not found.\nfatal: Could not read from remote repository.", "repository"],
    [
      "fatal: unable to access 'https://git.example/x.git/': The requested URL returned error: 404",
      "repository",
    ],
    ["fatal: couldn't find remote ref refs/heads/mian", "branch"],
    [
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
      "credentials",
    ],
    [
      "remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'https://gitlab.com/a/b.git/'",
      "credentials",
    ],
    ["git@github.com: Permission denied (publickey).", "credentials"],
    ["fatal: unable to access 'https://x/': The requested URL returned error: 403", "credentials"],
    ["Host key verification failed.", "credentials"],
  ])("%s → %s", (output, kind) => {
    expect(wrongSettingOf(output)).toBe(kind);
  });

  it.each([
    "fatal: unable to access 'https://github.com/a/b.git/': Could not resolve host: github.com",
    "ssh: connect to host git.example port 22: Connection refused",
    "fatal: unable to access 'https://x/': The requested URL returned error: 503",
    "fatal: the remote end hung up unexpectedly",
  ])("heals: %s", (output) => {
    expect(wrongSettingOf(output)).toBeUndefined();
  });
});
