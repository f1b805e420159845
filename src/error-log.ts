// A logger for `gitcron run`, which prints the job's own output and only its errors besides:
// JSON lines in pino's shape, without loading pino (~10 ms of the command's start-up).

import type { LogFn, Logger } from "./log.js";

/** pino's level numbers: what a reader of the JSON expects. */
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function errorLogger(
  destination: NodeJS.WritableStream,
  bindings: Record<string, unknown> = { name: "gitcron" },
): Logger {
  const ignore: LogFn = () => {};
  const error: LogFn = (first: object | string, message?: string) => {
    const fields = typeof first === "string" ? {} : first;
    const msg = typeof first === "string" ? first : message;
    const line = { level: LEVELS.error, time: Date.now(), ...bindings, ...fields, msg };
    destination.write(`${JSON.stringify(line, errorFields)}\n`);
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

/** Errors keep their message and stack in the line, as pino's serializer does. */
function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error
    ? { type: value.name, message: value.message, stack: value.stack }
    : value;
}
