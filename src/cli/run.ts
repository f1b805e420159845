// `gitcron run FILE`: validate one job file and run it once now, in the foreground, with its
// output on stdout/stderr; exit with the job's exit code (2 when it could not run at all).

import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { errorLogger } from "../error-log.js";
import { UsageError } from "../errors.js";
import { hasErrors } from "../jobs/issues.js";
import { loadJobFile } from "../jobs/load.js";
import { renderText, sortIssues } from "../jobs/render.js";
import type { Logger } from "../log.js";
import { createDockerRuntime, type DockerRuntimeOptions } from "../runtime/docker.js";
import { runIdFor } from "../runtime/names.js";
import type { Runtime } from "../runtime/runtime.js";
import { isTimeZone } from "../schedule/zone.js";
import { type Command, parseFlags, writeLine } from "./command.js";
import { POLICY_FLAGS, POLICY_HELP, policyFromFlags } from "./policy-flags.js";

const help = `Usage: gitcron run FILE [flags]

Validate one job file and run it once now on the local Docker engine, in the foreground.
The job's stdout and stderr appear on gitcron's stdout and stderr (fromEnv values as ***).
Ctrl-C or SIGTERM stops the container (SIGTERM, then SIGKILL after 10s).

Flags:
${POLICY_HELP}

Docker is reached as the Docker CLI would (DOCKER_HOST, else /var/run/docker.sock); registry
credentials come from $DOCKER_CONFIG/config.json.

Exit codes: the job's exit code; 1 the file is invalid; 2 the job could not run (bad flag,
Docker unreachable, image pull failed, a fromEnv variable not set).
`;

export interface RunCommandDeps {
  /** Calls `handler` on Ctrl-C / SIGTERM until the returned function is called. */
  onInterrupt: (handler: () => void) => () => void;
  createRuntime: (options: DockerRuntimeOptions) => Runtime;
}

export function createRunCommand(deps: RunCommandDeps): Command {
  return {
    name: "run",
    summary: "run one job once now, in the foreground",
    help,
    async run(argv, io) {
      const { values, positionals } = parseFlags(argv, POLICY_FLAGS);
      if (positionals.length !== 1) throw new UsageError("give exactly one job FILE");
      const file = positionals[0] as string;
      const policy = policyFromFlags(values, io.env);
      const defaultTimezone = values.timezone ?? io.env.GITCRON_TIMEZONE ?? "UTC";
      if (!isTimeZone(defaultTimezone)) {
        throw new UsageError(`--timezone "${defaultTimezone}" is not an IANA time zone`);
      }

      const where = resolve(io.cwd, file);
      if (!existsSync(where)) throw new UsageError(`no such file: ${file}`);
      if (statSync(where).isDirectory())
        throw new UsageError(`${file} is a folder; give one job file`);
      const loaded = loadJobFile(file, { policy, defaultTimezone, cwd: io.cwd });
      if (loaded.issues.length > 0) io.stderr.write(renderText(sortIssues(loaded.issues)));
      if (!loaded.spec || hasErrors(loaded.issues)) return 1;
      const spec = loaded.spec;

      // Job lines go to stdout/stderr as they are; the log would only repeat them.
      const logger = await runLogger(io.env.GITCRON_LOG_LEVEL, io.stderr);
      const runtime = deps.createRuntime({ logger, env: io.env });
      const stop = new AbortController();
      const unsubscribe = deps.onInterrupt(() => stop.abort("interrupted"));
      const scheduledAt = new Date();
      try {
        const result = await runtime.run(
          {
            runId: runIdFor(spec.name, scheduledAt, 1),
            spec,
            scheduledAt,
            attempt: 1,
            trigger: "manual",
            revision: "local",
            // Runs of `gitcron run` are nobody's agent's: no agent adopts them, the volumes they
            // create are theirs alone, and two of one job in the same second are two runs. An
            // id, not a secret: Math.random spares loading node:crypto.
            agent: `run-${Math.floor(Math.random() * 2 ** 32)
              .toString(16)
              .padStart(8, "0")}`,
            env: io.env,
            policy,
          },
          {
            stop: stop.signal,
            onLine: (line) =>
              writeLine(line.stream === "stdout" ? io.stdout : io.stderr, line.text),
          },
        );
        if (result.outcome === "error") {
          writeLine(io.stderr, `gitcron run: ${spec.name}: ${result.reason}`);
          return 2;
        }
        if (result.reason) writeLine(io.stderr, `gitcron run: ${spec.name}: ${result.reason}`);
        return result.exitCode ?? 1;
      } finally {
        unsubscribe();
      }
    },
  };
}

/** Errors only unless GITCRON_LOG_LEVEL asks for more; only then is pino loaded. */
async function runLogger(
  level: string | undefined,
  stderr: NodeJS.WritableStream,
): Promise<Logger> {
  if (level === undefined || level === "error") return errorLogger(stderr);
  const { createLogger } = await import("../log.js");
  return createLogger({ level, destination: stderr });
}

/** SIGINT and SIGTERM while the job runs stop it instead of killing gitcron. */
function processInterrupts(handler: () => void): () => void {
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

export const command: Command = createRunCommand({
  onInterrupt: processInterrupts,
  createRuntime: createDockerRuntime,
});
