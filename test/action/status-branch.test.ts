import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseState, readActiveJobs } from "../../src/action/status-branch.js";

describe("reading the agent's state.json for a plan", () => {
  it("takes each active job's spec hash, file and field hashes", () => {
    const state = {
      version: 1,
      revision: "abc",
      agentVersion: "0.1.0",
      jobs: {
        report: { file: "report.yaml", specHash: "h1", schedule: "@daily", nextRunAt: null },
        fields: { specHash: "h2", fields: { schedule: "s" } },
      },
    };
    expect(parseState(JSON.stringify(state), "gitcron-status")).toEqual({
      ok: true,
      revision: "abc",
      active: {
        report: { specHash: "h1", file: "report.yaml" },
        fields: { specHash: "h2", fields: { schedule: "s" } },
      },
    });
  });

  it("skips a job entry without a spec hash instead of failing the summary", () => {
    const result = parseState('{"jobs":{"odd":{"file":"x.yaml"}}}', "s");
    expect(result).toEqual({ ok: true, active: {}, revision: null });
  });

  it.each([
    ["{not json", 'state.json on "s" is not valid JSON'],
    ['{"version":1}', 'state.json on "s" has no jobs'],
    ["[]", 'state.json on "s" has no jobs'],
  ])("explains why %s gives no plan", (text, reason) => {
    expect(parseState(text, "s")).toEqual({ ok: false, reason });
  });
});

describe("reading the status branch from another repository (status-repo)", () => {
  it("names the repository without its credentials when it cannot be fetched", async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), "gitcron-action-status-"));
    try {
      execFileSync("git", ["init", "-q", workspace]);
      // Nothing listens on port 9 of loopback: the fetch fails at once.
      const result = await readActiveJobs({
        env: process.env,
        workspace,
        branch: "gitcron-status",
        repo: "https://reader:s3cret-token@127.0.0.1:9/acme/status.git",
      });
      expect(result.ok).toBe(false);
      const reason = result.ok ? "" : result.reason;
      expect(reason).toMatch(
        /^could not fetch "gitcron-status" from https:\/\/\*\*\*@127\.0\.0\.1:9\/acme\/status\.git: /,
      );
      expect(reason).not.toContain("s3cret-token");
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it.each([
    "https://reader:s3cr/et-t0ken@127.0.0.1:9/acme/status.git",
    "https://reader:s3cr@et-t0ken@127.0.0.1:9/acme/status.git",
    "https://s3cr/et-t0ken@127.0.0.1:9/acme/status.git",
  ])("never prints a password holding an unencoded / or @ (%s)", async (repo) => {
    const workspace = mkdtempSync(path.join(tmpdir(), "gitcron-action-status-"));
    try {
      execFileSync("git", ["init", "-q", workspace]);
      const result = await readActiveJobs({
        env: process.env,
        workspace,
        branch: "gitcron-status",
        repo,
      });
      const reason = result.ok ? "" : result.reason;
      expect(reason).toMatch(/^could not fetch "gitcron-status" from https:\/\/\*\*\*@/);
      expect(reason).not.toMatch(/s3cr|et-t0ken/);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
