// Job files that reach for the host through the engine: a volume that is not theirs (the agent's
// own data), a host folder reached through a link, another repository's runs, a user name that
// an image maps to root, an agent variable read past the validator. Each payload is first shown
// live on the real engine (what `docker run` does with it), then blocked, and the engine's own
// record of every container the agent made shows nothing was mounted that must not be.

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { containerNameFor } from "../../src/runtime/names.js";
import { startAgentProcess } from "../faults/helpers/agent-process.js";
import { statusRecords } from "../faults/helpers/ledger.js";
import { docker as faultDocker, faultHooks, jobYaml, until } from "../faults/helpers/world.js";
import { gitcron } from "../helpers/cli.js";
import { containersOfJob, engine, TEST_IMAGE } from "../helpers/docker.js";
import { createBareRepo, git } from "../helpers/git.js";
import { jobSpec, runRequest, shell } from "../helpers/spec.js";
import { canaries, watchMounts } from "./helpers.js";

const run = promisify(execFile);
const hooks = faultHooks();
const docker = engine();
const ROOT_NAME_IMAGE = "gitcron-test/root-named-admin:1";

/** `docker run --rm` of the test image: what any container the payload reaches could do. */
const dockerRun = async (args: string[]) =>
  (await run("docker", ["run", "--rm", ...args], { encoding: "utf8" })).stdout.trim();

beforeAll(async () => {
  // An image whose /etc/passwd maps the name "admin" to uid 0, and whose USER is that name.
  const context = await mkdtemp(join(tmpdir(), "gitcron-root-named-"));
  writeFileSync(
    join(context, "passwd"),
    "root:x:0:0:root:/:/bin/sh\nadmin:x:0:0:admin:/:/bin/sh\n",
  );
  writeFileSync(
    join(context, "Dockerfile"),
    `FROM ${TEST_IMAGE}\nCOPY passwd /etc/passwd\nUSER admin\n`,
  );
  await run("docker", ["build", "-q", "-t", ROOT_NAME_IMAGE, context], {
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
  });
  await rm(context, { recursive: true, force: true });
}, 60_000);

describe("attack 2: a named volume that is not the job's (the agent's own data volume)", () => {
  it("the run is refused naming the volume and --allow-volume; no container ever mounts it", async () => {
    const w = await hooks.world("sec-volume", (p) => ({ "README.md": `${p}\n` }));
    const agentData = `${w.prefix}-agentdata`;
    await docker.createVolume({ Name: agentData });
    // The payload is live: a container with the volume writes a hook into the status clone.
    const hook =
      "mkdir -p /x/status/hooks && echo 'touch /pwned' > /x/status/hooks/pre-push && echo planted";
    expect(await dockerRun(["-v", `${agentData}:/x`, TEST_IMAGE, "sh", "-c", hook])).toBe(
      "planted",
    );
    await dockerRun(["-v", `${agentData}:/x`, TEST_IMAGE, "rm", "-rf", "/x/status"]);

    const mounts = await watchMounts(docker, w.prefix);
    const agent = await hooks.agent(w);
    const job = `${w.prefix}-hooker`;
    await w.push(
      {
        [`${job}.yaml`]: jobYaml(
          "*/2 * * * * *",
          hook,
          `volumes:\n  - volume: ${agentData}\n    path: /x\n`,
        ),
        [`${w.prefix}-own.yaml`]: jobYaml(
          "*/2 * * * * *",
          "echo mine > /v/f && cat /v/f",
          `volumes:\n  - volume: ${w.prefix}-own\n    path: /v\n`,
        ),
      },
      "mount the agent's data",
    );
    const refused = await until("the run refused", async () =>
      (await w.runsOf(job)).find((r) => r.outcome === "error"),
    );
    expect(refused.reason).toMatch(
      new RegExp(`volume ${agentData} exists and is not one gitcron created.*--allow-volume`),
    );
    await until("the agent's own volume used", async () =>
      (await w.runsOf(`${w.prefix}-own`)).find((r) => r.logTail === "mine"),
    );
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    const seen = await mounts.stop();
    // The watch saw the agent's containers: the other job's, with its own volume.
    const ownVolume = `gitcron-${agent.id}-${w.prefix}-own`;
    expect(seen.filter((c) => c.job === `${w.prefix}-own`).length).toBeGreaterThan(0);
    for (const c of seen.filter((x) => x.job === `${w.prefix}-own`))
      expect(c.mounts.map((m) => m.name)).toEqual([ownVolume]);
    expect(seen.filter((c) => c.mounts.some((m) => m.name === agentData))).toEqual([]);
    expect(seen.filter((c) => c.job === job)).toEqual([]);
    expect(
      await dockerRun(["-v", `${agentData}:/x`, TEST_IMAGE, "sh", "-c", "ls /x | wc -l"]),
    ).toBe("0");
    const own = await docker.getVolume(ownVolume).inspect();
    expect(own.Labels).toMatchObject({ "gitcron.agent": agent.id });
    await w.finish({ "volume that is not the job's": 1 });
  });

  it("the agent's status repository runs no hook, whatever its hooks folder holds", async () => {
    const w = await hooks.world("sec-hooks", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("*/2 * * * * *", "echo tick"),
    }));
    const agent = await hooks.agent(w);
    await until("a first publish", async () =>
      (await w.runsOf(`${w.prefix}-tick`)).length > 0 ? true : undefined,
    );
    // The agent's status repository is bare: its hooks are in <data>/status/hooks.
    const repo = join(w.dir("data"), "status");
    const marker = join(w.dir("data"), "hook-ran");
    await mkdir(join(repo, "hooks"), { recursive: true });
    for (const name of ["pre-push", "post-update", "pre-auto-gc", "reference-transaction"]) {
      writeFileSync(join(repo, "hooks", name), `#!/bin/sh\ntouch ${marker}\n`);
      await chmod(join(repo, "hooks", name), 0o755);
    }
    // The payload is live: git as it runs by default runs the hook on any ref update.
    await git(repo, "update-ref", "refs/probe", "refs/heads/gitcron-status");
    expect(existsSync(marker)).toBe(true);
    await rm(marker);

    const before = (await w.runsOf(`${w.prefix}-tick`)).length;
    await until("two more publishes", async () =>
      (await w.runsOf(`${w.prefix}-tick`)).length >= before + 2 ? true : undefined,
    );
    expect(existsSync(marker)).toBe(false);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "hooks planted in the status repository": 4 });
  });
});

describe("attack 3: a host folder reached through a link under an allowed one", () => {
  it("only the listed folder itself is mounted; its sub-folder is refused by validate and the agent", async () => {
    const w = await hooks.world("sec-hostpath", (p) => ({ "README.md": `${p}\n` }));
    const allowed = w.dir("allowed");
    mkdirSync(allowed);
    symlinkSync("/var/run", join(allowed, "sub"));
    // The payload is live: Docker follows the link and mounts the host's /var/run.
    expect(await dockerRun(["-v", `${join(allowed, "sub")}:/m`, TEST_IMAGE, "ls", "/m"])).toMatch(
      /docker\.sock/,
    );

    const mounts = await watchMounts(docker, w.prefix);
    const agent = await hooks.agent(w, { flags: { "allow-host-path": allowed } });
    const swapper = `${w.prefix}-swapper`;
    const thief = `${w.prefix}-thief`;
    await w.push(
      {
        // A may write in the allowed folder: it swaps a sub-folder for a link, again and again.
        [`${swapper}.yaml`]: jobYaml(
          "*/2 * * * * *",
          "rm -rf /x/sub; ln -s /var/run /x/sub; ls /x",
          `volumes:\n  - hostPath: ${allowed}\n    path: /x\n`,
        ),
        // B mounts the sub-folder, hoping to catch the link.
        [`${thief}.yaml`]: jobYaml(
          "*/2 * * * * *",
          "ls /m",
          `volumes:\n  - hostPath: ${join(allowed, "sub")}\n    path: /m\n`,
        ),
      },
      "swap and steal",
    );
    const state = await until("the thief rejected, the swapper running", async () => {
      const s = await w.state();
      return s?.rejected.length && (await w.runsOf(swapper)).length >= 2 ? s : undefined;
    });
    expect(state.rejected.map((r) => [r.file, r.issues.map((i) => i.message)])).toEqual([
      [
        `${thief}.yaml`,
        [expect.stringMatching(/inside the allowed .*only the listed folders themselves/)],
      ],
    ]);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    const seen = await mounts.stop();
    expect(seen.filter((c) => c.job === thief)).toEqual([]);
    const sources = new Set(seen.flatMap((c) => c.mounts.map((m) => m.source)));
    expect([...sources]).toEqual([allowed]);

    const ran = await gitcron(["validate", "--allow-host-path", allowed, w.work]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/thief\.yaml:\d+:\d+: error: hostPath .* only the listed folders/);
    await w.finish({ "sub-folder swapped for a link": 1 });
  });
});

describe("attack 3b: nested --allow-host-path entries", () => {
  it("a job that mounts the outer folder can make the inner one any folder; nested entries are refused at start", async () => {
    const w = await hooks.world("sec-nested", (p) => ({ "README.md": `${p}\n` }));
    const outer = w.dir("outer");
    const inner = join(outer, "sub");
    mkdirSync(inner, { recursive: true });
    // The attack: a container with the outer folder swaps the inner for a link, and the next
    // mount of the inner one is the host's /var/run with the engine's socket.
    await dockerRun([
      "-v",
      `${outer}:/x`,
      TEST_IMAGE,
      "sh",
      "-c",
      "rm -rf /x/sub; ln -s /var/run /x/sub",
    ]);
    expect(await dockerRun(["-v", `${inner}:/m`, TEST_IMAGE, "ls", "/m"])).toMatch(/docker\.sock/);

    const entries = `${outer},${inner}`;
    const agent = await gitcron([
      "agent",
      "--repo",
      w.remote.url,
      "--data-dir",
      w.dir("data"),
      "--allow-host-path",
      entries,
    ]);
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain(`--allow-host-path ${inner} is inside ${outer}`);
    const validate = await gitcron(["validate", "--allow-host-path", entries, w.work]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain("list folders that do not contain each other");
    await w.finish({ "nested host folders allowed": 1 });
  });
});

describe("attack 4: agents of different repositories on one engine", () => {
  it("a job named like another repository's job never touches, follows or records the other's runs", async () => {
    const w = await hooks.world("sec-repos", (p) => ({
      [`${p}-backup.yaml`]: jobYaml("*/2 * * * * *", "sleep 1.5; echo victim-backup-done"),
    }));
    const job = `${w.prefix}-backup`;
    // The attacker's repository: the same job name and schedule, a 1 s timeout, other output.
    const attackerRepo = await createBareRepo(w.parent, {
      name: "attacker.git",
      files: {
        [`${job}.yaml`]: jobYaml(
          "*/2 * * * * *",
          "trap 'exit 143' TERM; echo attacker-output; sleep 5 & wait",
          "timeout: 1s\n",
        ),
      },
    });
    const victim = await hooks.agent(w, { data: "victim" });
    const attacker = await startAgentProcess({
      repo: attackerRepo.url,
      dataDir: w.dir("attacker"),
      flags: { interval: "1s", "status-flush": "1s", listen: "127.0.0.1:0" },
    });
    try {
      expect(victim.id).not.toBe(attacker.id);
      // The rule removed: without the agent id the two would race for one container name.
      const tick = new Date("2026-12-01T00:00:00Z");
      expect(containerNameFor(job, tick, 1, victim.id).replace(`-${victim.id}`, "")).toBe(
        containerNameFor(job, tick, 1, attacker.id).replace(`-${attacker.id}`, ""),
      );
      await until(
        "several runs of each",
        async () => {
          const mine = await w.runsOf(job);
          const theirs = (await statusRecords(attackerRepo.dir)).filter((r) => r.job === job);
          return mine.length >= 3 && theirs.length >= 3 ? true : undefined;
        },
        30_000,
      );
    } finally {
      victim.signal("SIGTERM");
      attacker.signal("SIGTERM");
      await Promise.all([victim.exited, attacker.exited]);
    }
    const mine = await w.runsOf(job);
    expect(new Set(mine.map((r) => [r.outcome, r.exitCode, r.logTail].join(" ")))).toEqual(
      new Set(["succeeded 0 victim-backup-done"]),
    );
    const theirs = (await statusRecords(attackerRepo.dir)).filter((r) => r.job === job);
    expect(theirs.every((r) => r.outcome === "timeout" && r.logTail === "attacker-output")).toBe(
      true,
    );
    const left = await containersOfJob(faultDocker, job);
    expect(left).toEqual([]);
  });
});

describe("attack 5: --policy restricted and a user name an image maps to uid 0", () => {
  it("a user name is refused by validate and the agent; a numeric one runs; the image's USER name is refused at run time", async () => {
    // The payload is live: the name runs as root.
    expect(await dockerRun(["--user", "admin", ROOT_NAME_IMAGE, "id", "-u"])).toBe("0");

    const w = await hooks.world("sec-user", (p) => ({
      [`${p}-named.yaml`]: `${jobYaml("*/2 * * * * *", "id -u")}user: admin\n`.replace(
        TEST_IMAGE,
        ROOT_NAME_IMAGE,
      ),
      [`${p}-numeric.yaml`]: `${jobYaml("*/2 * * * * *", "id -u")}user: "1000:1000"\n`,
    }));
    const agent = await hooks.agent(w, { flags: { policy: "restricted" } });
    const state = await until("the named user rejected, the numeric one run", async () => {
      const s = await w.state();
      return s?.rejected.length && (await w.runsOf(`${w.prefix}-numeric`)).length ? s : undefined;
    });
    expect(state.rejected.map((r) => [r.file, r.issues.map((i) => i.rule)])).toEqual([
      [`${w.prefix}-named.yaml`, ["policy.user"]],
    ]);
    expect((await w.runsOf(`${w.prefix}-numeric`))[0]?.logTail).toBe("1000");
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);

    const ran = await gitcron(["validate", "--policy", "restricted", w.work]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/named\.yaml:4:7: error: user "admin" is not numeric/);

    // Past the validator, the runtime asks again, of the file's user and of the image's USER.
    const runtime = createDockerRuntime({ env: process.env, logger: silentLogger() });
    for (const user of ["admin", undefined]) {
      const spec = jobSpec({
        name: `${w.prefix}-direct-${user ?? "image"}`,
        image: ROOT_NAME_IMAGE,
        user,
        ...shell("id -u"),
      });
      const result = await runtime.run(runRequest(spec, { policy: { level: "restricted" } }));
      expect(result.outcome).toBe("error");
      expect(result.reason).toMatch(/numeric non-root user.*"admin"/);
      expect(await containersOfJob(docker, spec.name)).toEqual([]);
    }
    await w.finish({ "user name mapped to root": 1 });
  });
});

describe("attack 9: fromEnv of the agent's own settings, past the validator", () => {
  it("the runtime refuses GITCRON_* and another job's secrets before reading them; its own secret arrives", async () => {
    const secrets = canaries();
    const runtime = createDockerRuntime({ env: process.env, logger: silentLogger() });
    const env = { ...secrets.env, SECRET_MINE_KEY: "the-job-s-own-secret" };
    const policy = { secretEnv: ["SECRET_{JOB}_*"] };
    const prefix = `gct-sec-env-${process.pid}`;
    // The plumbing is live: a variable the job may read reaches the container.
    const mine = jobSpec({
      name: "mine",
      env: { KEY: { fromEnv: "SECRET_MINE_KEY" } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell expands it
      ...shell('echo "${#KEY} $KEY"'),
    });
    const allowed = await runtime.run(runRequest(mine, { env, policy }));
    expect(allowed).toMatchObject({ outcome: "succeeded", logTail: "20 ***" });

    for (const variable of ["GITCRON_GIT_TOKEN", "GITCRON_API_TOKEN", "SECRET_OTHER_JOB_KEY"]) {
      const spec = jobSpec({
        name: `${prefix}-${variable.toLowerCase().replaceAll("_", "-")}`,
        env: { STOLEN: { fromEnv: variable } },
        ...shell('echo "$STOLEN"'),
      });
      const result = await runtime.run(runRequest(spec, { env, policy }));
      expect(result.outcome).toBe("error");
      expect(result.reason).toMatch(/may not read/);
      expect(JSON.stringify(result)).not.toMatch(/canary-/);
      expect(await containersOfJob(docker, spec.name)).toEqual([]);
    }
  });
});

afterAll(async () => {
  await docker
    .getImage(ROOT_NAME_IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
});
