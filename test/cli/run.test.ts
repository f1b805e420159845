// `gitcron run FILE` end to end on the real engine: in-process for exit codes and output, and
// as a real process for Ctrl-C/SIGTERM.

import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { CliIO } from "../../src/cli/command.js";
import { command, createRunCommand } from "../../src/cli/run.js";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { gitcron } from "../helpers/cli.js";
import {
  cleanupDocker,
  containersOfJob,
  engine,
  eventually,
  TEST_IMAGE,
  uniqueName,
} from "../helpers/docker.js";

const docker = engine();
const prefix = uniqueName("cli");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await cleanupDocker(docker, prefix);
});

/** Writes a job file named after the job; returns its path relative to `dir`. */
async function jobFile(job: string, body: string) {
  const file = `${prefix}-${job}.yaml`;
  await writeFile(join(dir, file), `schedule: "@daily"\nimage: ${TEST_IMAGE}\n${body}`);
  return file;
}

function captureIO(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (d) => out.push(String(d)));
  stderr.on("data", (d) => err.push(String(d)));
  const io: CliIO = { stdout, stderr, env: { PATH: process.env.PATH, ...env }, cwd: dir };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

describe("gitcron run FILE", () => {
  test("runs the job once: its stdout and stderr on ours, its exit code as ours, fromEnv as ***", async () => {
    const file = await jobFile(
      "ok",
      'entrypoint: ["/bin/sh", "-c"]\ncommand: ["echo hello $WHO; echo warn >&2; exit 3"]\nenv:\n  WHO: { fromEnv: SECRET_WHO }\n',
    );
    const cap = captureIO({ SECRET_WHO: "world-secret" });
    const code = await command.run([file], cap.io);
    expect(code).toBe(3);
    expect(cap.stdout()).toBe("hello ***\n");
    expect(cap.stderr()).toBe("warn\n");
    expect(await containersOfJob(docker, `${prefix}-ok`)).toHaveLength(0);
  });

  test("a line over 16 KiB is cut into pieces of 16 KiB, nothing lost", async () => {
    const file = await jobFile(
      "long",
      `entrypoint: ["/bin/sh", "-c"]\ncommand: ["head -c 40000 /dev/zero | tr '\\\\0' x; echo; echo end"]\n`,
    );
    const cap = captureIO();
    expect(await command.run([file], cap.io)).toBe(0);
    const lines = cap.stdout().split("\n");
    expect(lines.map((l) => l.length)).toEqual([16_384, 16_384, 40_000 - 2 * 16_384, 3, 0]);
    expect(lines.slice(0, 3).join("")).toBe("x".repeat(40_000));
  });

  test("an invalid file prints its errors with file:line:col and exits 1 without running", async () => {
    const file = await jobFile("bad", "comand: [true]\n");
    const cap = captureIO();
    expect(await command.run([file], cap.io)).toBe(1);
    expect(cap.stderr()).toMatch(new RegExp(`^${file}:3:1: error: `, "m"));
    expect(await containersOfJob(docker, `${prefix}-bad`)).toHaveLength(0);
  });

  test("exits 2 with one sentence when the job cannot run: a fromEnv variable not set", async () => {
    const file = await jobFile(
      "noenv",
      'command: ["true"]\nenv:\n  K: { fromEnv: SECRET_NOT_SET }\n',
    );
    const cap = captureIO();
    expect(await command.run([file], cap.io)).toBe(2);
    expect(cap.stderr()).toMatch(/^gitcron run: .*noenv: env K reads SECRET_NOT_SET .*not set\n$/);
  });

  test("exits 2 with one sentence when Docker is unreachable", async () => {
    const file = await jobFile("down", 'command: ["true"]\n');
    const cap = captureIO({ DOCKER_HOST: "unix:///nonexistent.sock" });
    expect(await command.run([file], cap.io)).toBe(2);
    expect(cap.stderr()).toBe(
      `gitcron run: ${prefix}-down: cannot reach the Docker engine at unix:///nonexistent.sock: connect ENOENT /nonexistent.sock; is dockerd running?\n`,
    );
  });

  test("an interrupt stops the container and gitcron exits with the job's exit code", async () => {
    const file = await jobFile(
      "int",
      `entrypoint: ["/bin/sh", "-c"]\ncommand: ["trap 'echo stopping; exit 42' TERM; echo up; sleep 30 & wait"]\n`,
    );
    let interrupt: () => void = () => {};
    const run = createRunCommand({
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => {
          interrupt = () => {};
        };
      },
      createRuntime: createDockerRuntime,
    });
    const cap = captureIO();
    const exit = run.run([file], cap.io);
    await eventually(async () => (cap.stdout().includes("up") ? true : undefined));
    interrupt();
    expect(await exit).toBe(42);
    expect(cap.stdout()).toBe("up\nstopping\n");
    expect(cap.stderr()).toBe(`gitcron run: ${prefix}-int: stopped: interrupted\n`);
  });

  test("a missing file and a second positional are usage errors", async () => {
    await expect(command.run(["nope.yaml"], captureIO().io)).rejects.toThrow(
      /no such file: nope.yaml/,
    );
    await expect(command.run(["a.yaml", "b.yaml"], captureIO().io)).rejects.toThrow(
      /exactly one job FILE/,
    );
  });
});

test("as a process, SIGTERM stops the job's container before gitcron exits", async () => {
  // The command bundled with a two-line entry point. Two levels below the repository, like
  // dist/cli/, so that packages resolve and the schema is found where dist's code finds it.
  const binDir = join(process.cwd(), "node_modules", `.${prefix}`);
  await mkdir(binDir, { recursive: true });
  const bin = join(binDir, "run.mjs");
  try {
    await build({
      stdin: {
        contents:
          'import { command } from "./run.ts";\nprocess.exitCode = await command.run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });\n',
        resolveDir: join(process.cwd(), "src", "cli"),
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      outfile: bin,
      logLevel: "silent",
    });
    const file = await jobFile(
      "sigterm",
      `entrypoint: ["/bin/sh", "-c"]\ncommand: ["trap 'exit 9' TERM; sleep 30 & wait"]\n`,
    );
    const child = spawn(process.execPath, [bin, file], {
      cwd: dir,
      stdio: "pipe",
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.on("data", () => undefined);
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`gitcron exited early: ${stderr}`);
      const containers = await containersOfJob(docker, `${prefix}-sigterm`);
      return containers.some((c) => c.State === "running") ? true : undefined;
    });
    child.kill("SIGTERM");
    expect(await exited).toBe(9);
    expect(stderr).toBe(`gitcron run: ${prefix}-sigterm: stopped: interrupted\n`);
    expect(await containersOfJob(docker, `${prefix}-sigterm`)).toHaveLength(0);
  } finally {
    await rm(binDir, { recursive: true, force: true });
  }
}, 30_000);

test("the built gitcron, compiled anew and then from its code cache, runs the job alike", async () => {
  const file = await jobFile(
    "built",
    'entrypoint: ["/bin/sh", "-c"]\ncommand: ["echo hello $WHO; echo warn >&2; exit 3"]\nenv:\n  WHO: { fromEnv: SECRET_WHO }\n',
  );
  const env = { NODE_COMPILE_CACHE: join(dir, "code-cache"), SECRET_WHO: "world-secret" };
  const cold = await gitcron(["run", file], { cwd: dir, env });
  expect(cold).toEqual({ code: 3, stdout: "hello ***\n", stderr: "warn\n" });
  // Node 22 and later keep their own compile cache there too, in a folder of theirs.
  expect(await readdir(env.NODE_COMPILE_CACHE)).toContain("run.cjs.cache");
  expect(await gitcron(["run", file], { cwd: dir, env })).toEqual(cold);
  expect(await containersOfJob(docker, `${prefix}-built`)).toHaveLength(0);
}, 30_000);
