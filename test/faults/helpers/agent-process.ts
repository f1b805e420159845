// `gitcron agent` as a real process (the built dist/bin/gitcron.cjs), so a test can SIGKILL,
// SIGSTOP or SIGTERM it. Its JSON log lines are kept for assertions; the HTTP port is read
// from the "agent started" line (the agent binds --listen 127.0.0.1:0 to a free port).

import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

export const MAIN = resolve(import.meta.dirname, "../../../dist/bin/gitcron.cjs");

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface AgentProcess {
  readonly pid: number;
  readonly port: number;
  /** The agent id it runs as (labels and container names). */
  readonly id: string;
  readonly logs: readonly LogLine[];
  /** Everything the process printed, as printed (stdout and stderr, line by line). */
  output(): string;
  /** Resolves with the first log line (from the start of the process) matching `match`. */
  waitForLog(match: (line: LogLine) => boolean, ms?: number): Promise<LogLine>;
  signal(signal: NodeJS.Signals): void;
  /** The exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** GET on the agent's HTTP side; the status code, or 0 when nothing answers. */
  get(path: string): Promise<number>;
}

export interface AgentProcessOptions {
  repo: string;
  dataDir: string;
  /** More flags, e.g. { "verify-signatures": file }. */
  flags?: Record<string, string>;
  /** More environment, e.g. { DOCKER_HOST: "unix:///tmp/x.sock" }. */
  env?: Record<string, string>;
  /** Starts the agent under `ulimit -n` of this many file descriptors. */
  maxFiles?: number;
  /** Options for node itself, before the script (e.g. --import of a fault). */
  nodeArgs?: string[];
}

/** Starts the agent and resolves once its HTTP side listens. */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const flags = {
    repo: options.repo,
    "data-dir": options.dataDir,
    interval: "1s",
    "status-flush": "1s",
    listen: "127.0.0.1:0",
    ...options.flags,
  };
  const args = [
    ...(options.nodeArgs ?? []),
    MAIN,
    "agent",
    ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]),
  ];
  const [command, argv] =
    options.maxFiles === undefined
      ? [process.execPath, args]
      : [
          "sh",
          ["-c", `ulimit -n ${options.maxFiles} && exec "$0" "$@"`, process.execPath, ...args],
        ];
  const child = spawn(command as string, argv as string[], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  const stderr: string[] = [];
  const printed: string[] = [];
  // pino writes to stderr (stdout is for a command's output); read both.
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream as NodeJS.ReadableStream }).on("line", (text) => {
      printed.push(text);
      try {
        logs.push(JSON.parse(text) as LogLine);
      } catch {
        stderr.push(text);
      }
      for (const wake of waiters) wake();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.on("exit", (code, signal) => {
      done({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  let ended = false;
  void exited.then(() => {
    ended = true;
  });

  const waitForLog = (match: (line: LogLine) => boolean, ms = 20_000) =>
    new Promise<LogLine>((resolveLine, reject) => {
      const tail = () => `${stderr.join("\n").slice(-800)} ${JSON.stringify(logs.slice(-4))}`;
      const check = () => {
        const found = logs.find(match);
        if (found) return finish(() => resolveLine(found));
        if (ended) return finish(() => reject(new Error(`the agent exited first: ${tail()}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no matching log line within ${ms}ms: ${tail()}`))),
        ms,
      );
      const finish = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });

  const started = await waitForLog((l) => l.msg === "agent started");
  const port = Number(String(started.listen).split(":").at(-1));
  return {
    pid: child.pid as number,
    port,
    id: String(started.agent),
    logs,
    output: () => printed.join("\n"),
    waitForLog,
    signal: (signal) => killQuietly(child, signal),
    exited,
    async get(path) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          signal: AbortSignal.timeout(2_000),
        });
        await res.arrayBuffer();
        return res.status;
      } catch {
        return 0;
      }
    },
  };
}

function killQuietly(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}

/** Kills the agent (SIGKILL) if it still runs; for afterEach. */
export async function killAgent(agent: AgentProcess | undefined): Promise<void> {
  if (!agent) return;
  agent.signal("SIGCONT");
  agent.signal("SIGKILL");
  await agent.exited;
}
