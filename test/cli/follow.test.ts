// Following runs as a user meets it: the built `gitcron trigger --wait/--follow` and `gitcron
// logs -f` against a real agent, a bare repository and the real Docker engine. The output is the
// job's, stream by stream, with the agent's secrets masked and control characters shown as
// `\xNN`; --wait exits with the run's exit code.

import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startHttpReceiver } from "../faults/helpers/receiver.js";
import { BIN, gitcron } from "../helpers/cli.js";
import { eventually, uniqueName } from "../helpers/docker.js";
import { manualJob, servedAgents } from "../helpers/served-agent.js";

const TOKEN = "follow-test-token-0123456789abcdef";
const agents = servedAgents("gitcron-follow-");
const { stops } = agents;

async function agentWith(job: string, script: string) {
  agents.cleanupAfter(job);
  const { url } = await agents.start(
    { [`${job}.yaml`]: manualJob(script) },
    { "api-token": TOKEN },
  );
  return { GITCRON_URL: url, GITCRON_API_TOKEN: TOKEN };
}

describe("gitcron trigger --follow and --wait", () => {
  it("streams stdout and stderr apart, masks the agent's secrets, escapes the terminal, and exits with the run's code", async () => {
    const job = uniqueName("follow");
    // The token is the agent's secret, not the job's: only the agent's redactor knows it.
    const env = await agentWith(
      job,
      `echo out-1; echo err-1 >&2; printf 'red \\033[31m bell \\a\\n'; echo leak ${TOKEN}; exit 3`,
    );
    const ran = await gitcron(["trigger", job, "--follow"], { env });
    expect(ran.code).toBe(3);
    expect(ran.stdout).toBe("out-1\nred \\x1b[31m bell \\x07\nleak ***\n");
    expect(ran.stderr).toMatch(
      new RegExp(
        `^gitcron trigger: run (${job}-\\d{8}T\\d{6}Z-1)\\nerr-1\\ngitcron trigger: \\1 failed, exit 3\\n$`,
      ),
    );
    expect(ran.stdout + ran.stderr).not.toContain(TOKEN);
  });

  it("--wait prints only the run id, and exits 0 for a run that succeeds", async () => {
    const job = uniqueName("wait");
    const env = await agentWith(job, "echo quiet");
    const ran = await gitcron(["trigger", job, "--wait"], { env });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(new RegExp(`^${job}-\\d{8}T\\d{6}Z-1\\n$`));
    expect(ran.stderr).toBe(`gitcron trigger: ${ran.stdout.trim()} succeeded, exit 0\n`);
  });
});

describe("a job with tty: true", () => {
  it("is followed, recorded and told in the order it wrote stdout and stderr", async () => {
    const job = uniqueName("tty");
    agents.cleanupAfter(job);
    const receiver = await startHttpReceiver();
    stops.push(receiver.close);
    const steps = Array.from({ length: 10 }, (_, i) => `echo step ${i}; echo warn ${i} >&2;`);
    const { url, remote } = await agents.start(
      {
        [`${job}.yaml`]: manualJob(
          `${steps.join(" ")} echo 'pg_dump: error: connection refused' >&2; exit 1`,
          "tty: true\n",
        ),
      },
      { "api-token": TOKEN, notify: [receiver.url] },
    );
    const env = { GITCRON_URL: url, GITCRON_API_TOKEN: TOKEN };
    const written = [
      ...Array.from({ length: 10 }, (_, i) => [`step ${i}`, `warn ${i}`]).flat(),
      "pg_dump: error: connection refused",
    ];

    const ran = await gitcron(["trigger", job, "--follow"], { env });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe(`${written.join("\n")}\n`);

    // The run reaches the status branch at the next flush (1 s).
    const recorded = await eventually(async () => {
      const logs = await gitcron(["logs", job, "--repo", remote.url, "--format", "json"]);
      return logs.code === 0 ? (JSON.parse(logs.stdout) as { logTail: string }[]) : undefined;
    });
    expect(recorded.map((r) => r.logTail)).toEqual([written.join("\n")]);

    await eventually(async () => (receiver.received.length > 0 ? true : undefined));
    expect(receiver.received[0]?.json.text).toMatch(
      new RegExp(`^${job} failed \\(exit 1\\) at .* — pg_dump: error: connection refused`),
    );
  });
});

describe("gitcron logs -f", () => {
  it("follows the running run from its start, and the next one", async () => {
    const job = uniqueName("logsf");
    const env = await agentWith(job, 'echo "begin $$"; sleep 300');
    const child = spawn(process.execPath, [BIN, "logs", job, "-f"], {
      env: { ...process.env, ...env },
    });
    stops.push(async () => {
      child.kill();
    });
    let out = "";
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.includes(text)) resolve();
        };
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          check();
        });
        child.once("exit", () => reject(new Error(`logs -f ended before "${text}":\n${out}`)));
        check();
      });

    // A run started before logs -f connects is shown from its start (what the agent kept).
    const first = (await gitcron(["trigger", job], { env })).stdout.trim();
    await seen(`── ${first} started\nbegin `);
    expect((await gitcron(["stop", job], { env })).code).toBe(0);
    // The shell is PID 1 and ignores SIGTERM: SIGKILL ends it after the grace period.
    await seen(
      `── ${first} stopped, exit 137: stopped by request (over the HTTP API) with SIGTERM, then SIGKILL`,
    );
    const second = (await gitcron(["trigger", job], { env })).stdout.trim();
    await seen(`── ${second} started\nbegin `);
    expect(second).not.toBe(first);
    expect(child.exitCode).toBeNull();
    expect((await gitcron(["stop", job], { env })).code).toBe(0);
    await seen(`── ${second} stopped, exit 137`);
  });

  it("exits 1 for a job the agent does not have, and 2 without the token", async () => {
    const env = await agentWith(uniqueName("logsnone"), "true");
    const noToken = await gitcron(["logs", "no-such-job", "-f"], {
      env: { GITCRON_URL: env.GITCRON_URL },
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("the agent needs its API token (401)");
    const ran = await gitcron(["logs", "no-such-job", "-f"], { env });
    expect(ran).toEqual({
      code: 1,
      stdout: "",
      stderr: 'gitcron logs: no job named "no-such-job".\n',
    });
  });
});
