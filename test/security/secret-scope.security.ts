// A job named like the prefix of another (`nightly` next to `nightly-report`) reaching for the
// other's secrets under --secret-env 'SECRET_{JOB}_*' (issue 25, item 1). The payload prints the
// value reversed, which no redactor catches: first shown live on the engine, then refused by the
// agent and `validate`, while the owner still reads its own.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { jobEnvName } from "../../src/text/glob.js";
import { faultHooks, jobYaml, until } from "../faults/helpers/world.js";
import { gitcron } from "../helpers/cli.js";
import { TEST_IMAGE } from "../helpers/docker.js";
import { canaries, leaks } from "./helpers.js";

const run = promisify(execFile);
const hooks = faultHooks();
const reverse = (s: string) => [...s].reverse().join("");

describe("issue 25 item 1: {JOB} as the prefix of a longer job's name", () => {
  it("job nightly is refused SECRET_<nightly-report>_TOKEN; nightly-report reads it", async () => {
    const w = await hooks.world("sec-job-prefix", () => ({ "README.md": "jobs\n" }));
    const nightly = `${w.prefix}-nightly`;
    const report = `${w.prefix}-nightly-report`;
    const variable = `SECRET_${jobEnvName(report)}_TOKEN`;
    const secret = canaries().values.secretEnv;
    const steal = 'echo "$T" | rev';
    // The payload is live: a container given the value prints it in a form no redactor knows.
    const live = (
      await run("docker", ["run", "--rm", "-e", `T=${secret}`, TEST_IMAGE, "sh", "-c", steal], {
        encoding: "utf8",
      })
    ).stdout.trim();
    expect(live).toBe(reverse(secret));

    const agent = await hooks.agent(w, {
      flags: { "secret-env": "SECRET_{JOB}_*" },
      env: { [variable]: secret },
    });
    const reads = `env:\n  T: { fromEnv: ${variable} }\n`;
    await w.push(
      {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell expands it
        [`${report}.yaml`]: jobYaml("*/2 * * * * *", 'echo "${#T}"', reads),
        [`${nightly}.yaml`]: jobYaml("*/2 * * * * *", steal, reads),
      },
      "a job named like the other's prefix",
    );
    // Either way the attack goes, the test sees it: nightly rejected, or nightly run.
    const state = await until("nightly rejected or run, nightly-report run", async () => {
      const s = await w.state();
      const nightlyDone = s?.rejected.length || (await w.runsOf(nightly)).length;
      return nightlyDone && (await w.runsOf(report)).length ? s : undefined;
    });
    expect((await w.runsOf(nightly)).map((r) => r.logTail)).toEqual([]);
    expect(state?.rejected.map((r) => [r.file, r.issues.map((i) => i.rule)])).toEqual([
      [`${nightly}.yaml`, ["policy.fromEnv"]],
    ]);
    expect((await w.runsOf(report))[0]?.logTail).toBe(String(secret.length));
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    expect(await leaks([secret, reverse(secret)], { remoteDir: w.remote.dir, agent })).toEqual({});

    const ran = await gitcron(["validate", "--secret-env", "SECRET_{JOB}_*", w.work]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(
      new RegExp(`${nightly}\\.yaml:\\d+:\\d+: error: env T may not read .* for job ${nightly} `),
    );
    await w.finish({ "a job named like the prefix of another": 1 });
  });
});

describe("secrets shorter than 4 characters", () => {
  it("are not masked agent-wide, and the agent says which at start-up; a run's own fromEnv value is masked at any length", async () => {
    const w = await hooks.world("sec-short", (p) => ({
      // Prints both values as text it holds, not read through fromEnv.
      [`${p}-says.yaml`]: jobYaml("*/2 * * * * *", "echo pin q7z key k9x2"),
      [`${p}-reads.yaml`]: jobYaml(
        "*/2 * * * * *",
        'echo "own $P"',
        "env:\n  P: { fromEnv: SECRET_PIN }\n",
      ),
    }));
    const agent = await hooks.agent(w, {
      env: { SECRET_PIN: "q7z", SECRET_KEY: "k9x2" },
      flags: { "api-token": "t0k" },
    });
    const warning = await agent.waitForLog((l) => l.level === 40 && /shorter than 4/.test(l.msg));
    expect(warning.msg).toBe(
      "SECRET_PIN, --api-token are shorter than 4 characters: not masked in the agent's log, status branch or HTTP answers (a run's own fromEnv values still are, in its output); use a longer value",
    );
    const says = await until("a run of says", async () => (await w.runsOf(`${w.prefix}-says`))[0]);
    expect(says.logTail).toBe("pin q7z key ***");
    const reads = await until(
      "a run of reads",
      async () => (await w.runsOf(`${w.prefix}-reads`))[0],
    );
    expect(reads.logTail).toBe("own ***");
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "secrets shorter than 4 characters": 2 });
  });
});
