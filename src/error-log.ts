// A logger for `gitcron run`, which prints the job's own output and only its errors besides:
// JSON lines in pino's shape, without loading pino (~10 ms of the command's start-up).

import type { LogFn, Logger } from "./log.js";

/** pino's number for "error": what a reader of the JSON expects. */
const ERROR_LEVEL = 50;

export function errorLogger(
  destination: NodeJS.WritableStream,
  bindings: Record<string, unknown> = { name: "gitcron" },
): Logger {
  const ignore: LogFn = () => {};
  const error: LogFn = (first: object | string, message?: string) => {
    // An Error passed first is `err`, as pino has it; its message and stack are not own fields.
    const fields = typeof first === "string" ? {} : first instanceof Error ? { err: first } : first;
    const msg = typeof first === "string" ? first : message;
    const line = { level: ERROR_LEVEL, time: Date.now(), ...bindings, ...fields, msg };
    destination.write(`${safeJson(line)}\n`);
  };
  return {
    error,
    warn: ignore,
    info: ignore,
    debug: ignore,
    child: (more) => errorLogger(destination, { ...bindings, ...more }),
    isLevelEnabled: (level) => level === "error" || level === "fatal",
  };
}

/** A log call must never throw: a field JSON cannot hold (a cycle, a BigInt) is dropped. */
function safeJson(line: Record<string, unknown>): string {
  try {
    return JSON.stringify(line, errorFields);
  } catch {
    const { level, time, name, msg } = line;
    return JSON.stringify({ level, time, name, msg, note: "fields could not be written as JSON" });
  }
}

/** Errors keep their message and stack in the line, as pino's serializer does. */
function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error
    ? { type: value.name, message: value.message, stack: value.stack }
    : value;
}
