// What the benchmarks that run the built agent share: Git with no user configuration, a free
// port, polling with a deadline, and `gitcron agent` as a child process.

import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

export const IMAGE = process.env.GITCRON_TEST_IMAGE ?? "gitcron-test/busybox:1";

export const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "bench@example.invalid",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "bench@example.invalid",
};

export const git = (cwd, ...args) =>
  execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8", maxBuffer: 1 << 28 }).trim();

/** A bare repository `<dir>/remote.git` whose main branch holds `count` files, file i being
 * `fileOf(i)` = [path, text]; its working copy is `<dir>/work`. */
export async function makeJobsRepo(dir, count, fileOf) {
  const work = path.join(dir, "work");
  const bare = path.join(dir, "remote.git");
  await mkdir(work, { recursive: true });
  git(dir, "init", "-q", "--bare", "-b", "main", bare);
  git(work, "init", "-q", "-b", "main");
  for (let i = 0; i < count; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, count - i) }, async (_, j) => {
        const [file, text] = fileOf(i + j);
        await mkdir(path.dirname(path.join(work, file)), { recursive: true });
        await writeFile(path.join(work, file), text);
      }),
    );
  }
  git(work, "add", ".");
  git(work, "commit", "-q", "-m", `${count} jobs`);
  git(work, "push", "-q", pathToFileURL(bare).href, "main");
  return { work, bare, url: pathToFileURL(bare).href };
}

export async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  return port;
}

/** Polls `probe` every `everyMs` until it returns a value; throws `what` after `timeoutMs`. */
export async function until(probe, { timeoutMs, everyMs = 50, what }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** `gitcron agent` with JSON logs; `onLog` sees each parsed line. `stop()` is SIGTERM, then
 * SIGKILL after 20 s: a stuck agent must end the benchmark, not hang it. */
export async function startAgent(ctx, { args, env = {}, onLog = () => {} }) {
  const port = await freePort();
  const agent = spawn(
    process.execPath,
    [
      path.join(ctx.root, "dist/bin/gitcron.cjs"),
      "agent",
      ...args,
      "--listen",
      `127.0.0.1:${port}`,
      "--log-format",
      "json",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...gitEnv, ...env } },
  );
  const exited = once(agent, "exit");
  let stderr = "";
  agent.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  for (const stream of [agent.stdout, agent.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      if (line.startsWith("{")) onLog(JSON.parse(line));
    });
  }
  return {
    agent,
    base: `http://127.0.0.1:${port}`,
    alive() {
      if (agent.exitCode !== null) throw new Error(`agent exited ${agent.exitCode}: ${stderr}`);
    },
    async stop() {
      agent.kill("SIGTERM");
      const timer = setTimeout(() => agent.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits for GET /readyz 200. */
export const ready = (running, timeoutMs, what) =>
  until(
    async () => {
      running.alive();
      const res = await fetch(`${running.base}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    { timeoutMs, what },
  );
