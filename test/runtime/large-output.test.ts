// 50 MB of output through the runtime with the test process's memory measured while it flows.

import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, expect, test } from "vitest";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { LOG_TAIL_BYTES } from "../../src/runtime/output.js";
import { cleanupDocker, engine, uniqueName } from "../helpers/docker.js";
import { jobSpec, runRequest, shell } from "../helpers/spec.js";

const docker = engine();
const prefix = uniqueName("big");
afterAll(() => cleanupDocker(docker, prefix));

const TOTAL = 50 * 1024 * 1024;
const LINE = "x".repeat(79); // 80 bytes with the newline

test("50 MB of output keeps memory flat and a log tail of at most 4 KiB", async () => {
  // Every line is logged (to a sink that discards it), as the agent would.
  const discard = new Writable({ write: (_c, _e, cb) => cb() });
  const runtime = createDockerRuntime({
    env: process.env,
    logger: pino({ level: "info" }, discard),
  });
  const spec = jobSpec({
    name: `${prefix}-job`,
    ...shell(`yes ${LINE} | head -c ${TOTAL}; echo; echo last-line`),
  });

  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 20);
  let bytes = 0;
  let lines = 0;
  const started = Date.now();
  const result = await runtime.run(runRequest(spec), {
    onLine: (l) => {
      bytes += l.text.length + 1;
      lines++;
    },
  });
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  const MB = 1024 * 1024;
  console.log(
    `50 MB run: ${seconds.toFixed(1)}s, rss +${((peakRss - before.rss) / MB).toFixed(1)} MB, heap +${((peakHeap - before.heapUsed) / MB).toFixed(1)} MB`,
  );

  expect(result.outcome).toBe("succeeded");
  expect(bytes).toBe(TOTAL + "\nlast-line\n".length);
  expect(lines).toBe(TOTAL / 80 + 2);
  expect(Buffer.byteLength(result.logTail)).toBeLessThanOrEqual(LOG_TAIL_BYTES);
  expect(result.logTail.endsWith(`${LINE}\n\nlast-line`)).toBe(true);
  // docs/agent.md promises under 45 MB of RSS growth (seen: 33–39 MB; heap 12–16 MB).
  expect(peakRss - before.rss).toBeLessThan(45 * MB);
  expect(peakHeap - before.heapUsed).toBeLessThan(32 * MB);
});
