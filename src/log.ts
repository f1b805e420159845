// One pino logger, made once at start-up and passed down; child loggers per job and run.

import { pino } from "pino";

export type LogFormat = "json" | "pretty";

/** A log call: fields and a message, or a message alone (pino's order). */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** What gitcron asks of a logger. A pino logger is one; so is the lighter one `run` uses. */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled(level: string): boolean;
}

export interface LoggerOptions {
  /** GITCRON_LOG_LEVEL, as the entry point read it; default info. */
  level?: string;
  /** Defaults to stderr so that command output on stdout stays clean. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): pino.Logger {
  const level = options.level ?? "info";
  const destination = options.destination ?? process.stderr;
  return pino({ level, base: { name: "gitcron" } }, destination as pino.DestinationStream);
}

/** Where a logger writes in `format`: JSON lines to stderr, or human-readable lines formatted
 * in-process (not in pino's transport worker, which a bundle cannot locate), loaded on demand.
 * Every line passes through `redact` first: no secret the agent holds reaches its log. */
export async function logDestination(
  format: LogFormat,
  redact: (line: string) => string = (line) => line,
): Promise<NodeJS.WritableStream> {
  const out: NodeJS.WritableStream =
    format === "json"
      ? process.stderr
      : (await import("pino-pretty")).default({ destination: 2, colorize: false, sync: true });
  return redactingStream(out, redact);
}

/** A destination that redacts each line pino hands it (pino writes whole lines). */
export function redactingStream(
  out: NodeJS.WritableStream,
  redact: (line: string) => string,
): NodeJS.WritableStream {
  return {
    write: (chunk: string | Uint8Array) =>
      out.write(redact(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString())),
  } as NodeJS.WritableStream;
}

/** A logger that writes nothing, for tests and library callers. */
export const silentLogger = (): Logger => pino({ level: "silent" });
