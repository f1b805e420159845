// The Docker runtime on the real engine: the shared Runtime conformance suite, then what only
// Docker shows (container settings in `docker inspect`, bind mounts, how the engine is reached).

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { silentLogger } from "../../src/log.js";
import { follow } from "../../src/runtime/adoption.js";
import { connectDocker } from "../../src/runtime/connection.js";
import { type ContainerApi, containerApi } from "../../src/runtime/containers.js";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { LABEL } from "../../src/runtime/names.js";
import { namespacedVolume } from "../../src/runtime/volumes.js";
import {
  cleanupDocker,
  containersOfJob,
  engine,
  eventually,
  TEST_IMAGE,
  uniqueName,
} from "../helpers/docker.js";
import { jobSpec, runRequest, shell, TEST_AGENT } from "../helpers/spec.js";
import { describeRuntimeConformance } from "./conformance.js";

const docker = engine();
const prefix = uniqueName("rt");
const job = (what: string) => `${prefix}-${what}`;
const runtime = createDockerRuntime({
  env: process.env,
  logger: silentLogger(),
  stopGraceMs: 1000,
});

afterAll(() => cleanupDocker(docker, prefix));

describeRuntimeConformance({
  name: "docker",
  prefix: `${prefix}-c`,
  runtime: (options) =>
    createDockerRuntime({
      env: process.env,
      logger: options?.logger ?? silentLogger(),
      stopGraceMs: 1000,
    }),
  runsOf: (name) => containersOfJob(docker, name),
  async impostor(name, labels) {
    const container = await docker.createContainer({
      name,
      Image: TEST_IMAGE,
      Cmd: ["sleep", "5"],
      Labels: labels,
    });
    await container.start();
  },
  exists: (name) =>
    docker
      .getContainer(name)
      .inspect()
      .then(
        () => true,
        () => false,
      ),
});

test("a named volume is created with the job's label", async () => {
  const volume = `${prefix}-labelled`;
  const spec = jobSpec({
    name: job("vol"),
    volumes: [{ kind: "volume", volume, path: "/data", readOnly: false }],
    ...shell("true"),
  });
  expect((await runtime.run(runRequest(spec))).outcome).toBe("succeeded");
  const info = await docker.getVolume(namespacedVolume(TEST_AGENT, volume)).inspect();
  expect(info.Labels?.[LABEL.job]).toBe(spec.name);
});

test("the restricted policy is visible on the running container and felt by the job", async () => {
  const spec = jobSpec({
    name: job("restricted"),
    user: "1000:1000",
    ...shell(
      "id -u; touch /rootfs-file 2>/dev/null && echo rootfs-writable; touch /tmp/ok && echo tmp-writable; sleep 1",
    ),
  });
  let inspected: Awaited<ReturnType<ReturnType<typeof docker.getContainer>["inspect"]>> | undefined;
  const result = await runtime.run(runRequest(spec, { policy: { level: "restricted" } }), {
    onStart: async ({ containerId }) => {
      inspected = await docker.getContainer(containerId).inspect();
    },
  });
  expect(result.logTail).toBe("1000\ntmp-writable");
  expect(inspected?.HostConfig).toMatchObject({
    CapDrop: ["ALL"],
    ReadonlyRootfs: true,
    Tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
    SecurityOpt: ["no-new-privileges"],
    PidsLimit: 512,
    Privileged: false,
    NetworkMode: "default",
  });
  expect(inspected?.HostConfig.CapAdd ?? null).toBeNull();
  expect(inspected?.HostConfig.PidMode).toBe("");
});

test("host paths: refused unless listed exactly in --allow-host-path; listed ones are mounted", async () => {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-host-`));
  try {
    const spec = jobSpec({
      name: job("host"),
      volumes: [{ kind: "hostPath", hostPath: dir, path: "/out", readOnly: false }],
      ...shell("echo from-container > /out/result"),
    });
    const refused = await runtime.run(runRequest(spec));
    expect(refused.outcome).toBe("error");
    expect(refused.reason).toMatch(/allows no host paths/);
    const parent = await runtime.run(runRequest(spec, { policy: { allowHostPath: [tmpdir()] } }));
    expect(parent.outcome).toBe("error");
    expect(parent.reason).toMatch(/only the listed folders themselves may be mounted/);
    const allowed = await runtime.run(runRequest(spec, { policy: { allowHostPath: [dir] } }));
    expect(allowed.outcome).toBe("succeeded");
    expect(await readFile(join(dir, "result"), "utf8")).toBe("from-container\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe("Docker unreachable", () => {
  const env = { DOCKER_HOST: "unix:///nonexistent.sock" };
  const down = createDockerRuntime({ logger: silentLogger(), env });

  test("run() is an error whose reason says where and what to check", async () => {
    const result = await down.run(runRequest(jobSpec({ name: job("down"), ...shell("true") })));
    expect(result).toMatchObject({ outcome: "error", exitCode: null });
    expect(result.reason).toBe(
      "cannot reach the Docker engine at unix:///nonexistent.sock: connect ENOENT /nonexistent.sock; is dockerd running?",
    );
  });

  test("ping() rejects with the same sentence", async () => {
    await expect(down.ping()).rejects.toThrow(
      /^cannot reach the Docker engine at unix:\/\/\/nonexistent.sock/,
    );
    await expect(runtime.ping()).resolves.toBeUndefined();
  });
});

describe("DOCKER_HOST is honoured as the Docker CLI honours it", () => {
  test("tcp://host:port reaches the engine (through a TCP proxy to the local socket)", async () => {
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = connect("/var/run/docker.sock");
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const { port } = proxy.address() as AddressInfo;
    try {
      const overTcp = createDockerRuntime({
        logger: silentLogger(),
        env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` },
      });
      await expect(overTcp.ping()).resolves.toBeUndefined();
      const result = await overTcp.run(
        runRequest(jobSpec({ name: job("tcp"), ...shell("echo over-tcp") })),
      );
      expect(result).toMatchObject({ outcome: "succeeded", logTail: "over-tcp" });
    } finally {
      // Idle keep-alive connections would hold close() open.
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => proxy.close(r));
    }
  });

  test.each([
    [{}, "unix:///var/run/docker.sock"],
    [{ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, "unix:///run/user/1000/docker.sock"],
    [{ DOCKER_HOST: "tcp://10.0.0.5:2375" }, "tcp://10.0.0.5:2375"],
    [{ DOCKER_HOST: "10.0.0.5" }, "tcp://10.0.0.5:2375"],
    [{ DOCKER_HOST: "tcp://10.0.0.5", DOCKER_TLS_VERIFY: "1" }, "tcp://10.0.0.5:2376"],
  ])("%o → %s", (env, address) => {
    expect(connectDocker(env).address).toBe(address);
  });

  test("ssh:// is refused with what to do instead", () => {
    expect(() => connectDocker({ DOCKER_HOST: "ssh://me@build-host" })).toThrow(
      /ssh -L .*DOCKER_HOST=unix:/,
    );
  });
});

test("a command that does not exist in the image is an error that says so briefly", async () => {
  const spec = jobSpec({ name: job("noexec"), command: ["/no-such-binary"] });
  const result = await runtime.run(runRequest(spec));
  expect(result).toMatchObject({ outcome: "error", exitCode: null });
  expect(result.reason).toBe(
    'the container could not start: exec: "/no-such-binary": stat /no-such-binary: no such file or directory',
  );
  expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
});

test("a run carries its agent's label and name; list() answers only for that agent", async () => {
  const spec = jobSpec({ name: job("owner"), ...shell("sleep 2") });
  const request = runRequest(spec, { agent: "agent-one" });
  const running = runtime.run(request);
  const listed = await eventually(async () => {
    const found = (await runtime.list("agent-one")).find((r) => r.job === spec.name);
    return found?.running ? found : undefined;
  });
  expect(listed.agent).toBe("agent-one");
  expect((await runtime.list("agent-two")).filter((r) => r.job === spec.name)).toEqual([]);
  const [container] = await containersOfJob(docker, spec.name);
  expect(container?.Names).toEqual([
    `/gitcron-${spec.name}-${Math.floor(request.scheduledAt.getTime() / 1000)}-agent-one`,
  ]);
  expect((await running).outcome).toBe("succeeded");
});

test("an adopter whose container its creator removes right after the end records the end it saw", async () => {
  const name = job("gone");
  const created = await docker.createContainer({
    name,
    Image: TEST_IMAGE,
    Cmd: ["sh", "-c", "echo working; sleep 0.5; exit 3"],
    Labels: { [LABEL.job]: name, [LABEL.run]: `${name}-run`, [LABEL.agent]: TEST_AGENT },
  });
  await created.start();
  const client = connectDocker(process.env);
  const real = containerApi(client, created.id);
  // The run's creator (an agent sharing our id) records the run and removes its container the
  // moment it ends: before this adopter reads the container's state.
  const removedOnEnd: ContainerApi = {
    ...real,
    async wait() {
      const waited = await real.wait();
      await real.remove();
      return waited;
    },
  };
  const result = await follow({ client, stopGraceMs: 1000 }, removedOnEnd, {
    runOptions: {},
    log: silentLogger(),
    began: new Date(),
    createdGraceMs: 1000,
    agent: TEST_AGENT,
  });
  expect(result).toMatchObject({
    runId: `${name}-run`,
    outcome: "failed",
    exitCode: 3,
    adopted: true,
    logTail: "working",
  });
  expect(await containersOfJob(docker, name)).toHaveLength(0);
});
