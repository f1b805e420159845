// The Swarm runtime on a one-node Swarm: the shared Runtime conformance suite, then what only a
// cluster shows (no overlap counted in services and tasks, placement that cannot be met).

import type Dockerode from "dockerode";
import { afterAll, beforeAll, expect, test } from "vitest";
import { silentLogger } from "../../src/log.js";
import { LABEL } from "../../src/runtime/names.js";
import { createSwarmRuntime } from "../../src/runtime/swarm.js";
import { cleanupDocker, engine, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { jobSpec, runRequest, shell } from "../helpers/spec.js";
import { cleanupServices, ensureSwarm, servicesOfJob } from "../helpers/swarm.js";
import { captureLogger } from "./capture-log.js";
import { describeRuntimeConformance } from "./conformance.js";

const PINO_WARN = 40;

const docker = engine();
const prefix = uniqueName("sw");
let leaveSwarm: () => Promise<void> = async () => {};

beforeAll(async () => {
  leaveSwarm = await ensureSwarm(docker);
});

afterAll(async () => {
  await cleanupServices(docker, prefix);
  await cleanupDocker(docker, prefix);
  await leaveSwarm();
});

describeRuntimeConformance({
  name: "swarm",
  prefix: `${prefix}-c`,
  runtime: (options) =>
    createSwarmRuntime({
      env: process.env,
      logger: options?.logger ?? silentLogger(),
      stopGraceMs: 1000,
    }),
  runsOf: (name) => servicesOfJob(docker, name),
  async impostor(name, labels) {
    await docker.createService({
      Name: name,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: { Image: TEST_IMAGE, Command: ["sleep", "5"] },
        RestartPolicy: { Condition: "none" },
      },
      Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
    } as Dockerode.CreateServiceOptions);
  },
  exists: (name) =>
    docker
      .getService(name)
      .inspect()
      .then(
        () => true,
        () => false,
      ),
});

test("a run is a replicated-job service labelled with its job and run, removed once recorded", async () => {
  const runtime = createSwarmRuntime({
    env: process.env,
    logger: silentLogger(),
    stopGraceMs: 1000,
  });
  const spec = jobSpec({ name: `${prefix}-svc`, ...shell("sleep 1; echo done") });
  let seen: Awaited<ReturnType<typeof servicesOfJob>> = [];
  const result = await runtime.run(runRequest(spec), {
    onResult: async () => {
      seen = await servicesOfJob(docker, spec.name);
    },
  });
  expect(result).toMatchObject({ outcome: "succeeded", exitCode: 0, logTail: "done" });
  expect(seen).toHaveLength(1);
  expect(seen[0]?.Spec?.Mode).toMatchObject({
    ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 },
  });
  expect(seen[0]?.Spec?.Labels?.[LABEL.run]).toBe(result.runId);
  expect(await servicesOfJob(docker, spec.name)).toHaveLength(0);
});

test("a placement no node meets is an error with the swarm's reason, after the pending limit", async () => {
  const runtime = createSwarmRuntime({
    env: process.env,
    logger: silentLogger(),
    stopGraceMs: 1000,
    pendingLimitMs: 3000,
  });
  const spec = jobSpec({
    name: `${prefix}-nowhere`,
    placement: { constraints: ["node.labels.gitcron-test == nowhere"], preferences: [] },
    ...shell("true"),
  });
  const result = await runtime.run(runRequest(spec));
  expect(result.outcome).toBe("error");
  expect(result.reason).toMatch(/no node could run the task within 3s/);
  expect(await servicesOfJob(docker, spec.name)).toHaveLength(0);
});

test("ping says so when the engine is not a Swarm manager", async () => {
  const runtime = createSwarmRuntime({
    env: process.env,
    logger: silentLogger(),
    client: {
      address: "unix:///fake.sock",
      call: async () => ({ Swarm: { LocalNodeState: "inactive" } }) as never,
      open: async () => {
        throw new Error("unused");
      },
    },
  });
  await expect(runtime.ping()).rejects.toThrow(/is not a Swarm manager; run `docker swarm init`/);
});

test("below API 1.44 the engine cannot set no-new-privileges on a service: ping warns, once, naming the fix", async () => {
  const { ApiVersion } = await docker.version();
  const [major = 0, minor = 0] = ApiVersion.split(".").map(Number);
  const older = major < 1 || (major === 1 && minor < 44);
  const log = captureLogger();
  await createSwarmRuntime({ env: process.env, logger: log.logger }).ping();
  const warnings = log.records().filter((r) => r.level === PINO_WARN);
  // The test environment's engine (Debian's docker.io 20.10) speaks API 1.41.
  expect(warnings).toEqual(
    older
      ? [
          expect.objectContaining({
            apiVersion: ApiVersion,
            msg: "this engine's API cannot set no-new-privileges on a Swarm service (it needs API 1.44, Docker 25); start dockerd with --no-new-privileges on every node so that jobs get it",
          }),
        ]
      : [],
  );
});

test("no overlap on the cluster's side: three agents racing for one tick make one service and one task", async () => {
  const runtime = createSwarmRuntime({
    env: process.env,
    logger: silentLogger(),
    stopGraceMs: 1000,
  });
  const spec = jobSpec({ name: `${prefix}-race`, ...shell("sleep 1; echo once") });
  const request = runRequest(spec);
  const peak = { services: 0, tasks: 0 };
  let done = false;
  const sample = (async () => {
    while (!done) {
      const services = await servicesOfJob(docker, spec.name);
      const tasks = await docker.listTasks({ filters: { label: [`${LABEL.job}=${spec.name}`] } });
      peak.services = Math.max(peak.services, services.length);
      peak.tasks = Math.max(peak.tasks, tasks.length);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const results = await Promise.all([1, 2, 3].map(() => runtime.run(request)));
  done = true;
  await sample;
  expect(results.map((r) => r.adopted).sort()).toEqual([false, true, true]);
  expect(results.every((r) => r.logTail === "once" && r.exitCode === 0)).toBe(true);
  expect(peak).toEqual({ services: 1, tasks: 1 });
});

test("a job whose name is 63 characters runs: the service's name is shortened the same way on every agent", async () => {
  const runtime = createSwarmRuntime({
    env: process.env,
    logger: silentLogger(),
    stopGraceMs: 1000,
  });
  const name = `${prefix}-long-`.padEnd(63, "x");
  const spec = jobSpec({ name, ...shell("echo long") });
  const result = await runtime.run(runRequest(spec));
  expect(result).toMatchObject({ outcome: "succeeded", logTail: "long", reason: null });
});

test("no-new-privileges: the service asks for it from API 1.44; below, the agent warns at start as documented", async () => {
  const { ApiVersion } = await docker.version();
  const [major = 0, minor = 0] = ApiVersion.split(".").map(Number);
  const below144 = major === 1 && minor < 44;
  const log = captureLogger();
  const runtime = createSwarmRuntime({ env: process.env, logger: log.logger, stopGraceMs: 1000 });
  await runtime.ping();
  const warnings = log
    .records()
    .filter((r) => String(r.msg).includes("cannot set no-new-privileges on a Swarm service"));
  const spec = jobSpec({ name: `${prefix}-nnp`, ...shell("grep NoNewPrivs /proc/self/status") });
  let kept: { NoNewPrivileges?: boolean } | undefined;
  const result = await runtime.run(runRequest(spec), {
    onResult: async () => {
      const [service] = await servicesOfJob(docker, spec.name);
      const template = service?.Spec?.TaskTemplate as
        | { ContainerSpec?: { Privileges?: typeof kept } }
        | undefined;
      kept = template?.ContainerSpec?.Privileges;
    },
  });
  expect(result.outcome).toBe("succeeded");
  if (below144) {
    // The engine drops the field it does not know: the job's "NoNewPrivs: 1" (the conformance
    // case) comes from dockerd --no-new-privileges (scripts/test-env.sh), not from gitcron. What
    // gitcron owes here is the warning docs/swarm.md promises, once, with the engine's version.
    expect(kept?.NoNewPrivileges).toBeUndefined();
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        apiVersion: ApiVersion,
        msg: expect.stringContaining("start dockerd with --no-new-privileges on every node"),
      }),
    ]);
  } else {
    expect(kept?.NoNewPrivileges).toBe(true);
    expect(result.logTail.replace(/\s+/g, " ")).toBe("NoNewPrivs: 1");
    expect(warnings).toEqual([]);
  }
});
