// The agent's one redactor knows every secret the agent holds (SPEC §4), wherever it came from.

import { describe, expect, it } from "vitest";
import { agentRedactor } from "../../src/secrets/held.js";
import { resolveSettings } from "../../src/settings.js";

describe("the secrets the agent holds", () => {
  it("masks tokens, the credentials of --repo, --status-repo and --notify URLs, and SECRET_* values", () => {
    const env = {
      GITCRON_GIT_TOKEN: "ghp_gittokenvalue0001",
      GITCRON_API_TOKEN: "apitokenvalue0002",
      SECRET_DB_PASSWORD: "dbpassword0003",
      HOME: "/home/someone",
    };
    const settings = resolveSettings(
      {
        repo: "https://jobs-bot:jobspass0004@git.example/org/jobs.git",
        "status-repo": "https://ledger-bot:ledgerp%40ss0005@git.example/org/ledger.git",
        notify: ["https://hooks.example/services/T000/B000/webhookpath0006"],
      },
      env,
      "/",
    );
    const redact = agentRedactor(settings, env);
    const text = [
      "ghp_gittokenvalue0001",
      "apitokenvalue0002",
      "dbpassword0003",
      "jobspass0004",
      "ledger-bot",
      "ledgerp@ss0005",
      "ledgerp%40ss0005",
      "https://hooks.example/services/T000/B000/webhookpath0006",
    ].join(" ");
    const out = redact.redact(text);
    expect(out).not.toMatch(/000[1-6]|ledger-bot/);
    expect(redact.redact("/home/someone")).toBe("/home/someone");
  });
});
