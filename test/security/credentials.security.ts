// Credentials in a URL that a pattern misreads (issue 25, item 12): a --status-repo password
// holding an unencoded `/` and `@`. Git cannot use such a URL and says so, quoting it; the
// agent must print none of the password, in its own words or git's.

import { describe, expect, it } from "vitest";
import { faultHooks, jobYaml } from "../faults/helpers/world.js";
import { leaks } from "./helpers.js";

const hooks = faultHooks();

describe("issue 25 item 12: a status-repo password holding / and @", () => {
  it("the agent's log names the repository without any piece of the password", async () => {
    const w = await hooks.world("sec-url-password", (p) => ({
      // A job that does not fire during the test: a run it made could reach no status branch
      // the ledger reads (the status repository is unreachable by design).
      [`${p}-tick.yaml`]: jobYaml("0 0 1 1 *", "echo tick"),
    }));
    const password = "s3cr/et@pw0rd";
    // Nothing listens on port 9 of loopback.
    const statusRepo = `http://ledger:${password}@127.0.0.1:9/ledger.git`;
    const agent = await hooks.agent(w, { flags: { "status-repo": statusRepo } });
    // The payload is live: git reads the URL and quotes it in its error, which the agent logs.
    const failed = await agent.waitForLog((l) => l.msg.startsWith("status push failed"));
    expect(String(failed.err)).toMatch(/unable to access 'http:\/\/\*\*\*@127\.0\.0\.1:9\//);
    agent.signal("SIGTERM");
    await agent.exited;
    const pieces = [password, "s3cr", "et@pw0rd", "pw0rd"];
    expect(await leaks(pieces, { remoteDir: w.remote.dir, agent })).toEqual({});
    await w.finish({ "a URL password holding / and @": 1 });
  });
});
