// One suite of behaviour every Runtime must show, run against each implementation on its real
// engine (Docker now; Swarm runs the same suite). Engine-specific checks live beside each.

import { describe, expect, test } from "vitest";
import type { Logger } from "../../src/log.js";
import { containerNameFor, LABEL } from "../../src/runtime/names.js";
import type { OutputLine, Runtime } from "../../src/runtime/runtime.js";
import { volumeLabels } from "../../src/runtime/volumes.js";
import { engine, eventually } from "../helpers/docker.js";
import { jobSpec, runRequest, shell, TEST_AGENT } from "../helpers/spec.js";
import { captureLogger } from "./capture-log.js";

export interface ConformanceTarget {
  name: string;
  /** A runtime on the engine under test, with a 1 s stop grace period. */
  runtime(options?: { logger?: Logger }): Runtime;
  /** The engine's objects (containers, services) of a job, in any state. */
  runsOf(job: string): Promise<unknown[]>;
  /** A prefix unique to this run of the suite; everything it creates is named with it. */
  prefix: string;
  /** Makes, outside gitcron, what a run of this name would be (a container or a service),
   * running for a few seconds with these labels: another agent's run, or someone else's. */
  impostor(name: string, labels: Record<string, string>): Promise<void>;
  /** Whether the engine object of that name still exists. */
  exists(name: string): Promise<boolean>;
}

const texts = (lines: OutputLine[], stream: OutputLine["stream"]) =>
  lines.filter((l) => l.stream === stream).map((l) => l.text);

export function describeRuntimeConformance(target: ConformanceTarget): void {
  const runtime = target.runtime();
  const job = (what: string) => `${target.prefix}-${what}`;
  const prefix = target.prefix;
  const docker = engine();

  describe(`Runtime conformance: ${target.name}`, () => {
    describe("a run ends with the job's exit code and leaves nothing behind in the engine", () => {
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
        expect(await target.runsOf(spec.name)).toHaveLength(0);
      });
    });

    describe("tty: true — one stream, in the order the job wrote it", () => {
      const alternating = Array.from({ length: 20 }, (_, i) => `echo out${i}; echo err${i} >&2;`);
      const written = Array.from({ length: 20 }, (_, i) => [`out${i}`, `err${i}`]).flat();

      test("a run's lines, tail and log keep the order across stdout and stderr, without the terminal's \\r", async () => {
        const { logger, text } = captureLogger();
        const spec = jobSpec({
          name: job("tty"),
          tty: true,
          env: { TOKEN: { fromEnv: "SECRET_TTY" } },
          ...shell(`${alternating.join(" ")} echo "token $TOKEN" >&2; exit 4`),
        });
        const lines: OutputLine[] = [];
        const result = await target
          .runtime({ logger })
          .run(runRequest(spec, { env: { SECRET_TTY: "tty-secret" } }), {
            onLine: (l) => lines.push(l),
          });
        expect(result).toMatchObject({ outcome: "failed", exitCode: 4 });
        expect(lines.map((l) => l.text)).toEqual([...written, "token ***"]);
        expect(new Set(lines.map((l) => l.stream))).toEqual(new Set(["stdout"]));
        expect(result.logTail).toBe([...written, "token ***"].join("\n"));
        expect(text()).not.toContain("tty-secret");
      });

      test("an adopted run with a terminal is read the same way", async () => {
        const spec = jobSpec({
          name: job("tty-adopt"),
          tty: true,
          ...shell(`${alternating.slice(0, 3).join(" ")} sleep 1; echo done >&2`),
        });
        const request = runRequest(spec);
        const old = runtime.run(request);
        const restarted = target.runtime();
        const existing = await eventually(async () =>
          (await restarted.list(TEST_AGENT)).find((r) => r.job === spec.name && r.running),
        );
        const adopted = await restarted.adopt(existing);
        expect(adopted).toMatchObject({ outcome: "succeeded", adopted: true });
        expect(adopted.logTail).toBe([...written.slice(0, 6), "done"].join("\n"));
        await old;
      });
    });

    test("env: literal and fromEnv values reach the job; fromEnv values are *** in lines, tail and log", async () => {
      const { logger, records, text } = captureLogger();
      const rt = target.runtime({ logger });
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
      expect(result.logTail.split("\n").sort()).toEqual([
        "***",
        "level=info token=***",
        "split:***",
      ]);
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
      expect(await target.runsOf(spec.name)).toHaveLength(0);
    });

    test("data written to a named volume by one run is read by the next", async () => {
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
      expect(await target.runsOf(spec.name)).toHaveLength(0);
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

    test("a label key with a dotted prefix that --allow-label does not name is refused before anything runs", async () => {
      const spec = jobSpec({
        name: job("traefik"),
        labels: { "traefik.enable": "true" },
        ...shell("echo routed"),
      });
      const result = await runtime.run(runRequest(spec));
      expect(result.outcome).toBe("error");
      expect(result.reason).toMatch(/label "traefik\.enable" is not allowed.*--allow-label/);
      expect(await target.runsOf(spec.name)).toHaveLength(0);
      const allowed = await runtime.run(
        runRequest(spec, { policy: { allowLabel: ["traefik.*"] } }),
      );
      expect(allowed).toMatchObject({ outcome: "succeeded", logTail: "routed" });
    });

    describe("named volumes: the agent's own, or ones --allow-volume names (SPEC §4)", () => {
      const mounting = (name: string, volume: string) =>
        jobSpec({
          name: job(name),
          volumes: [{ kind: "volume", volume, path: "/data", readOnly: false }],
          ...shell("echo written > /data/mark; echo ok"),
        });

      test("a missing volume is created as gitcron-<agent id>-<name>, labelled with the agent's id, and mounted", async () => {
        const volume = `${prefix}-own`;
        const result = await runtime.run(runRequest(mounting("own", volume)));
        expect(result).toMatchObject({ outcome: "succeeded", logTail: "ok" });
        const info = await docker.getVolume(`gitcron-${TEST_AGENT}-${volume}`).inspect();
        expect(info.Labels).toMatchObject({ [LABEL.agent]: TEST_AGENT });
        // The plain name stays free for whoever creates it later.
        await expect(docker.getVolume(volume).inspect()).rejects.toThrow();
      });

      test("a volume the agent made under the plain name before the namespace is still mounted", async () => {
        const volume = `${prefix}-legacy`;
        const spec = mounting("legacy", volume);
        await docker.createVolume({ Name: volume, Labels: volumeLabels(TEST_AGENT, spec.name) });
        const result = await runtime.run(runRequest(spec));
        expect(result).toMatchObject({ outcome: "succeeded", logTail: "ok" });
        await expect(
          docker.getVolume(`gitcron-${TEST_AGENT}-${volume}`).inspect(),
        ).rejects.toThrow();
      });

      test.each([
        ["unlabelled (another application's)", {}, /is not one gitcron created/],
        [
          "another agent's",
          { [LABEL.agent]: "0123456789ab" },
          /another gitcron agent's \(0123456789ab\)/,
        ],
      ])("an existing volume %s is refused before anything runs", async (_, labels, why) => {
        const volume = `${prefix}-foreign-${Object.keys(labels).length}`;
        await docker.createVolume({ Name: volume, Labels: labels });
        const spec = mounting(`foreign${Object.keys(labels).length}`, volume);
        const result = await runtime.run(runRequest(spec));
        expect(result.outcome).toBe("error");
        expect(result.reason).toMatch(why);
        expect(result.reason).toMatch(/--allow-volume/);
        expect(await target.runsOf(spec.name)).toHaveLength(0);
        const files = await docker.getVolume(volume).inspect();
        expect(files.Labels ?? {}).toEqual(labels);
      });

      test("an existing volume that --allow-volume names is mounted", async () => {
        const volume = `${prefix}-shared`;
        await docker.createVolume({ Name: volume });
        const spec = mounting("shared", volume);
        const result = await runtime.run(
          runRequest(spec, { policy: { allowVolume: [`${prefix}-sha*`] } }),
        );
        expect(result).toMatchObject({ outcome: "succeeded", logTail: "ok" });
      });
    });

    test("a run of the tick's name that belongs to another agent is left alone and recorded as an error", async () => {
      const spec = jobSpec({ name: job("impostor"), ...shell("echo mine") });
      const request = runRequest(spec);
      const name = containerNameFor(spec.name, request.scheduledAt, 1, TEST_AGENT);
      await target.impostor(name, {
        [LABEL.job]: spec.name,
        [LABEL.run]: request.runId,
        [LABEL.agent]: "another-agent",
      });
      const result = await runtime.run(request);
      expect(result.outcome).toBe("error");
      expect(result.reason).toMatch(
        /belongs to another agent \(another-agent\); it was left alone/,
      );
      expect(await target.exists(name)).toBe(true);
      expect(await runtime.list(TEST_AGENT)).not.toContainEqual(
        expect.objectContaining({ job: spec.name }),
      );
    });

    // "NoNewPrivs: 1" here is what a job sees, not proof of what the runtime asked for: the test
    // engine's dockerd sets it by default (scripts/test-env.sh), and a Swarm engine below API
    // 1.44 drops the service's field. docker.test.ts checks the container's SecurityOpt,
    // swarm.test.ts the service's field or the agent's warning.
    test("the container settings of the policy are in force inside the job", async () => {
      const spec = jobSpec({
        name: job("inside"),
        user: "1000:1000",
        ...shell(
          "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status; id -u; touch /x 2>/dev/null || echo rootfs-read-only; touch /tmp/y && echo tmp-writable",
        ),
      });
      const result = await runtime.run(runRequest(spec, { policy: { level: "restricted" } }));
      expect(result.outcome).toBe("succeeded");
      expect(result.logTail.split("\n").map((l) => l.replace(/\s+/g, " "))).toEqual([
        "CapEff: 0000000000000000",
        "NoNewPrivs: 1",
        "1000",
        "rootfs-read-only",
        "tmp-writable",
      ]);
    });

    test("the restricted policy refuses a job that would run as root", async () => {
      const spec = jobSpec({ name: job("root"), ...shell("true") });
      const result = await runtime.run(runRequest(spec, { policy: { level: "restricted" } }));
      expect(result.outcome).toBe("error");
      expect(result.reason).toMatch(/non-root user/);
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
      expect(await target.runsOf(spec.name)).toHaveLength(1);
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
      expect(await target.runsOf(spec.name)).toHaveLength(0);
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
      const restarted = target.runtime();
      const existing = await eventually(async () =>
        (await restarted.list(TEST_AGENT)).find((r) => r.job === spec.name && r.running),
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
      expect(await target.runsOf(spec.name)).toHaveLength(0);
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

    describe("onResult: the result is stored before the engine forgets the run", () => {
      test("it is awaited while the container still exists; the container is removed after", async () => {
        const spec = jobSpec({ name: job("onresult"), ...shell("exit 4") });
        let seen: { exitCode: number | null; containers: number } | undefined;
        const result = await runtime.run(runRequest(spec), {
          onResult: async (r) => {
            seen = {
              exitCode: r.exitCode,
              containers: (await target.runsOf(spec.name)).length,
            };
          },
        });
        expect(seen).toEqual({ exitCode: 4, containers: 1 });
        expect(result.exitCode).toBe(4);
        expect(await target.runsOf(spec.name)).toHaveLength(0);
      });

      test("when storing fails the container is kept, so a later adoption records the run", async () => {
        const spec = jobSpec({ name: job("keep"), ...shell("echo kept; exit 6") });
        const first = await runtime.run(runRequest(spec), {
          onResult: async () => {
            throw new Error("disk full");
          },
        });
        expect(first.exitCode).toBe(6);
        const [existing] = (await runtime.list(TEST_AGENT)).filter((r) => r.job === spec.name);
        expect(existing).toMatchObject({ runId: first.runId, running: false });
        if (!existing) return;
        const adopted = await runtime.adopt(existing);
        expect(adopted).toMatchObject({
          exitCode: 6,
          outcome: "failed",
          adopted: true,
          logTail: "kept",
        });
        expect(await target.runsOf(spec.name)).toHaveLength(0);
      });

      test("a run that ended while no agent followed it is adopted with the engine's start and end", async () => {
        const spec = jobSpec({ name: job("ended"), ...shell("sleep 1; exit 3") });
        const first = await runtime.run(runRequest(spec), {
          onResult: async () => {
            throw new Error("disk full");
          },
        });
        // The agent is away for a second before the next one adopts the ended run.
        await new Promise((r) => setTimeout(r, 1_000));
        const [existing] = (await runtime.list(TEST_AGENT)).filter((r) => r.job === spec.name);
        if (!existing) throw new Error("the run's container was not kept");
        const adopted = await runtime.adopt(existing);
        expect(adopted).toMatchObject({ exitCode: 3, adopted: true });
        // It ended before the first reader saw it end, not when it was adopted.
        expect(adopted.finishedAt.getTime()).toBeLessThanOrEqual(first.finishedAt.getTime());
        expect(adopted.finishedAt.getTime() - adopted.startedAt.getTime()).toBeGreaterThanOrEqual(
          900,
        );
      });

      test("a run that never started is handed over too", async () => {
        const spec = jobSpec({
          name: job("onresult-error"),
          env: { K: { fromEnv: "SECRET_NONE" } },
        });
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
  });
}
