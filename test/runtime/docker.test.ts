// The Docker runtime against the real engine and the local test image.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { silentLogger } from "../../src/log.js";
import { connectDocker } from "../../src/runtime/connection.js";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { LABEL } from "../../src/runtime/names.js";
import type { OutputLine } from "../../src/runtime/runtime.js";
import {
  cleanupDocker,
  containersOfJob,
  engine,
  eventually,
  uniqueName,
} from "../helpers/docker.js";
import { jobSpec, runRequest, shell } from "../helpers/spec.js";
import { captureLogger } from "./capture-log.js";

const docker = engine();
const prefix = uniqueName("rt");
const job = (what: string) => `${prefix}-${what}`;
const runtime = createDockerRuntime({ logger: silentLogger(), stopGraceMs: 1000 });

afterAll(() => cleanupDocker(docker, prefix));

const texts = (lines: OutputLine[], stream: OutputLine["stream"]) =>
  lines.filter((l) => l.stream === stream).map((l) => l.text);

describe("a run ends with the job's exit code and leaves no container behind", () => {
  test.each([
    { code: 0, outcome: "succeeded" },
    { code: 3, outcome: "failed" },
  ])("exit $code → $outcome", async ({ code, outcome }) => {
    const spec = jobSpec({
      name: job(`exit${code}`),
      ...shell(`echo out; echo two; echo err >&2; exit ${code}`),
    });
    const lines: OutputLine[] = [];
    const result = await runtime.run(runRequest(spec), { onLine: (l) => lines.push(l) });
    expect(result).toMatchObject({ outcome, exitCode: code, reason: null, adopted: false });
    // Docker copies the two streams separately: order holds within a stream only.
    expect(texts(lines, "stdout")).toEqual(["out", "two"]);
    expect(texts(lines, "stderr")).toEqual(["err"]);
    expect(result.logTail.split("\n").sort()).toEqual(["err", "out", "two"]);
    expect(result.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.finishedAt.getTime()).toBeGreaterThanOrEqual(result.startedAt.getTime());
    expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
  });
});

test("env: literal and fromEnv values reach the job; fromEnv values are *** in lines, tail and log", async () => {
  const { logger, records, text } = captureLogger();
  const rt = createDockerRuntime({ logger });
  const spec = jobSpec({
    name: job("env"),
    env: { LEVEL: { value: "info" }, TOKEN: { fromEnv: "SECRET_TOKEN" } },
    // The secret reaches the output in two writes, 100 ms apart.
    ...shell(
      `echo "level=$LEVEL token=$TOKEN"; printf 'split:sec'; sleep 0.1; printf 'ret-value\\n' >&1; echo "$TOKEN" >&2`,
    ),
  });
  const lines: OutputLine[] = [];
  const result = await rt.run(runRequest(spec, { env: { SECRET_TOKEN: "secret-value" } }), {
    onLine: (l) => lines.push(l),
  });
  expect(result.outcome).toBe("succeeded");
  expect(texts(lines, "stdout")).toEqual(["level=info token=***", "split:***"]);
  expect(texts(lines, "stderr")).toEqual(["***"]);
  expect(result.logTail.split("\n").sort()).toEqual(["***", "level=info token=***", "split:***"]);
  expect(text()).not.toContain("secret-value");
  expect(records()).toContainEqual(
    expect.objectContaining({
      job: spec.name,
      run: result.runId,
      stream: "stdout",
      msg: "split:***",
    }),
  );
});

test("a fromEnv variable missing from the agent's environment is an error naming it; nothing starts", async () => {
  const spec = jobSpec({
    name: job("noenv"),
    env: { TOKEN: { fromEnv: "SECRET_ABSENT" } },
    ...shell("true"),
  });
  const result = await runtime.run(runRequest(spec, { env: { SECRET_OTHER: "x" } }));
  expect(result).toMatchObject({ outcome: "error", exitCode: null });
  expect(result.reason).toMatch(/SECRET_ABSENT/);
  expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
});

test("data written to a named volume by one run is read by the next; the volume is created and labelled", async () => {
  const volume = `${prefix}-data`;
  const mount = { kind: "volume" as const, volume, path: "/data", readOnly: false };
  const writer = jobSpec({
    name: job("vol"),
    volumes: [mount],
    ...shell("echo persisted-$$ > /data/file; cat /data/file"),
  });
  const first = await runtime.run(runRequest(writer));
  expect(first.outcome).toBe("succeeded");
  const reader = { ...writer, ...shell("cat /data/file") };
  const second = await runtime.run(runRequest(reader));
  expect(second).toMatchObject({ outcome: "succeeded", logTail: first.logTail });
  expect(second.logTail).toMatch(/^persisted-\d+$/);
  const info = await docker.getVolume(volume).inspect();
  expect(info.Labels?.[LABEL.job]).toBe(writer.name);
});

test("a timeout stops the job with SIGTERM, then SIGKILL after the grace period when it ignores TERM", async () => {
  const spec = jobSpec({
    name: job("timeout"),
    timeoutMs: 1000,
    ...shell("trap 'echo got TERM' TERM; echo started; while true; do sleep 0.2; done"),
  });
  const began = Date.now();
  const result = await runtime.run(runRequest(spec));
  const elapsed = Date.now() - began;
  expect(result).toMatchObject({ outcome: "timeout", exitCode: 137 });
  expect(result.reason).toBe(
    "timed out after 1s; stopped with SIGTERM, then SIGKILL after the 1s grace period",
  );
  expect(result.logTail).toContain("got TERM");
  expect(elapsed).toBeGreaterThanOrEqual(2000);
  expect(elapsed).toBeLessThan(10_000);
  expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
});

test("a stop signal (overlap: replace) stops the run; the outcome follows the exit code", async () => {
  const spec = jobSpec({
    name: job("replace"),
    ...shell("trap 'echo bye; exit 0' TERM; echo ready; sleep 30 & wait"),
  });
  const stop = new AbortController();
  const result = await runtime.run(runRequest(spec), {
    stop: stop.signal,
    onLine: (l) => l.text === "ready" && stop.abort("replaced by a newer run"),
  });
  expect(result).toMatchObject({
    outcome: "succeeded",
    exitCode: 0,
    reason: "stopped: replaced by a newer run",
  });
  expect(result.logTail).toBe("ready\nbye");
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

test("the restricted policy refuses a job that would run as root", async () => {
  const spec = jobSpec({ name: job("root"), ...shell("true") });
  const result = await runtime.run(runRequest(spec, { policy: { level: "restricted" } }));
  expect(result.outcome).toBe("error");
  expect(result.reason).toMatch(/non-root user/);
});

test("host paths: refused unless under --allow-host-path; allowed ones are mounted", async () => {
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
    const allowed = await runtime.run(runRequest(spec, { policy: { allowHostPath: [tmpdir()] } }));
    expect(allowed.outcome).toBe("succeeded");
    expect(await readFile(join(dir, "result"), "utf8")).toBe("from-container\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a second run of the same tick finds the name taken and adopts the running container", async () => {
  const spec = jobSpec({ name: job("lock"), ...shell("echo once; sleep 1; exit 7") });
  const request = runRequest(spec);
  const starts: { containerId: string; adopted: boolean }[] = [];
  let firstStarted: () => void = () => {};
  const started = new Promise<void>((r) => {
    firstStarted = r;
  });
  const first = runtime.run(request, {
    onStart: (s) => {
      starts.push(s);
      firstStarted();
    },
  });
  await started;
  const second = runtime.run(request, { onStart: (s) => starts.push(s) });
  await eventually(async () => (starts.length === 2 ? true : undefined));
  expect(await containersOfJob(docker, spec.name)).toHaveLength(1);
  const [a, b] = await Promise.all([first, second]);
  expect(a).toMatchObject({ outcome: "failed", exitCode: 7, adopted: false, logTail: "once" });
  expect(b).toMatchObject({
    outcome: "failed",
    exitCode: 7,
    adopted: true,
    logTail: "once",
    runId: a.runId,
  });
  expect(starts[0]?.containerId).toBe(starts[1]?.containerId);
  expect(starts.map((s) => s.adopted)).toEqual([false, true]);
  expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
});

test("after a restart, list() finds the running run and adopt() records its end once, redacted", async () => {
  const spec = jobSpec({
    name: job("adopt"),
    env: { TOKEN: { fromEnv: "SECRET_T" } },
    ...shell('echo "token $TOKEN"; sleep 1; echo done; exit 5'),
  });
  const request = runRequest(spec, { env: { SECRET_T: "adopt-secret" }, revision: "rev1" });
  // The "old agent" starts the run; a second runtime plays the restarted agent.
  const old = runtime.run(request);
  const restarted = createDockerRuntime({ logger: silentLogger() });
  const existing = await eventually(async () =>
    (await restarted.list()).find((r) => r.job === spec.name && r.running),
  );
  expect(existing).toMatchObject({
    runId: request.runId,
    revision: "rev1",
    scheduledAt: request.scheduledAt,
  });
  const adopted = await restarted.adopt(existing);
  expect(adopted).toMatchObject({
    outcome: "failed",
    exitCode: 5,
    adopted: true,
    runId: request.runId,
  });
  expect(adopted.logTail).toBe("token ***\ndone");
  expect(adopted.imageDigest).toMatch(/^sha256:/);
  await old;
  expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
});

test("a missing image that cannot be pulled is an error with one sentence", async () => {
  const spec = jobSpec({
    name: job("noimage"),
    image: "127.0.0.1:9/gitcron/absent:1",
    ...shell("true"),
  });
  const result = await runtime.run(runRequest(spec));
  expect(result.outcome).toBe("error");
  expect(result.reason).toMatch(/^cannot pull 127\.0\.0\.1:9\/gitcron\/absent:1: /);
  expect(result.reason).not.toContain("\n");
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

describe("onResult: the result is stored before the engine forgets the run", () => {
  test("it is awaited while the container still exists; the container is removed after", async () => {
    const spec = jobSpec({ name: job("onresult"), ...shell("exit 4") });
    let seen: { exitCode: number | null; containers: number } | undefined;
    const result = await runtime.run(runRequest(spec), {
      onResult: async (r) => {
        seen = {
          exitCode: r.exitCode,
          containers: (await containersOfJob(docker, spec.name)).length,
        };
      },
    });
    expect(seen).toEqual({ exitCode: 4, containers: 1 });
    expect(result.exitCode).toBe(4);
    expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
  });

  test("when storing fails the container is kept, so a later adoption records the run", async () => {
    const spec = jobSpec({ name: job("keep"), ...shell("echo kept; exit 6") });
    const first = await runtime.run(runRequest(spec), {
      onResult: async () => {
        throw new Error("disk full");
      },
    });
    expect(first.exitCode).toBe(6);
    const [existing] = (await runtime.list()).filter((r) => r.job === spec.name);
    expect(existing).toMatchObject({ runId: first.runId, running: false });
    if (!existing) return;
    const adopted = await runtime.adopt(existing);
    expect(adopted).toMatchObject({
      exitCode: 6,
      outcome: "failed",
      adopted: true,
      logTail: "kept",
    });
    expect(await containersOfJob(docker, spec.name)).toHaveLength(0);
  });

  test("a run that never started is handed over too", async () => {
    const spec = jobSpec({ name: job("onresult-error"), env: { K: { fromEnv: "SECRET_NONE" } } });
    const handed: string[] = [];
    const result = await runtime.run(runRequest(spec), {
      onResult: async (r) => {
        handed.push(r.outcome);
      },
    });
    expect(result.outcome).toBe("error");
    expect(handed).toEqual(["error"]);
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
