// A pino logger whose JSON lines the test can read back.

import { Writable } from "node:stream";
import { pino } from "pino";
import type { Logger } from "../../src/log.js";

export function captureLogger(): {
  logger: Logger;
  records: () => Record<string, unknown>[];
  text: () => string;
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: "info" }, sink);
  const text = () => chunks.join("");
  const records = () =>
    text()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, records, text };
}
