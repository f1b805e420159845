// The agent id (docs/agent.md, "How a run is executed"; SPEC §4): a hash of the repository URL
// without credentials, the branch and the path. Agents of one repository share it however
// their credentials reach it (they share the lease, the runs and the volumes by it); agents of
// another repository, branch or path never do.

import { describe, expect, it } from "vitest";
import { agentIdOf } from "../../src/agent/identity.js";
import { resolveSettings } from "../../src/settings.js";

const idOf = (flags: Record<string, string>, env: Record<string, string> = {}) =>
  agentIdOf(resolveSettings(flags, env, "/"));

describe("the agent id", () => {
  const repo = "https://git.example/org/jobs.git";

  it("is the same with credentials in the URL, another password, a token, or none", () => {
    const plain = idOf({ repo });
    expect(plain).toMatch(/^[0-9a-f]{12}$/);
    expect(idOf({ repo: "https://jobs-bot:s3cret-one@git.example/org/jobs.git" })).toBe(plain);
    expect(idOf({ repo: "https://jobs-bot:s3cret-two@git.example/org/jobs.git" })).toBe(plain);
    expect(idOf({ repo: "https://x-access-token@git.example/org/jobs.git" })).toBe(plain);
    expect(idOf({ repo }, { GITCRON_GIT_TOKEN: "ghp_token" })).toBe(plain);
  });

  it("differs for another repository, branch or path", () => {
    const ids = [
      idOf({ repo }),
      idOf({ repo: "https://git.example/org/other.git" }),
      idOf({ repo, branch: "prod" }),
      idOf({ repo, path: "jobs" }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
