// One pino logger, made once at start-up and passed down; child loggers per job and run.

import { type Logger, pino } from "pino";

export type { Logger };
export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  format?: LogFormat;
  level?: string;
  /** Defaults to stderr so that command output on stdout stays clean. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.GITCRON_LOG_LEVEL ?? "info";
  const destination = options.destination ?? process.stderr;
  if (options.format === "pretty") {
    return pino(
      { level },
      pino.transport({ target: "pino-pretty", options: { destination: 2, colorize: false } }),
    );
  }
  return pino({ level, base: { name: "gitcron" } }, destination as pino.DestinationStream);
}

/** A logger that writes nothing, for tests and library callers. */
export const silentLogger = (): Logger => pino({ level: "silent" });
