// `gitcron run`'s logger: errors only, as the JSON lines pino would write, without pino.

import { PassThrough } from "node:stream";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { errorLogger } from "../../src/error-log.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe("errorLogger", () => {
  test("writes errors as pino does (level 50, time, name, fields, msg) and nothing below", () => {
    const out = capture();
    const log = errorLogger(out.stream).child({ job: "nightly" });
    log.info({ container: "abc" }, "run started");
    log.warn("slow");
    log.debug("detail");
    log.error({ exitCode: 2 }, "could not start");
    log.error("plain message");

    const reference = capture();
    pino({ base: { name: "gitcron" } }, reference.stream)
      .child({ job: "nightly" })
      .error({ exitCode: 2 }, "could not start");

    const [first, second] = out.lines();
    expect(out.lines()).toHaveLength(2);
    const [expected] = reference.lines();
    expect(Object.keys(first).sort()).toEqual(Object.keys(expected).sort());
    expect({ ...first, time: 0 }).toEqual({ ...expected, time: 0 });
    expect(second).toMatchObject({
      level: 50,
      name: "gitcron",
      job: "nightly",
      msg: "plain message",
    });
  });

  test("an Error field keeps its message and stack", () => {
    const out = capture();
    errorLogger(out.stream).error({ err: new Error("engine went away") }, "run failed");
    const [line] = out.lines();
    expect(line.err).toMatchObject({ type: "Error", message: "engine went away" });
    expect(line.err.stack).toMatch(/engine went away/);
  });

  test("an Error passed first is its err field; a field JSON cannot hold does not throw", () => {
    const out = capture();
    const log = errorLogger(out.stream);
    log.error(new Error("disk full"), "write failed");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => log.error({ cyclic }, "odd fields")).not.toThrow();
    const [first, second] = out.lines();
    expect(first).toMatchObject({
      msg: "write failed",
      err: { type: "Error", message: "disk full" },
    });
    expect(second).toMatchObject({ level: 50, msg: "odd fields", note: expect.any(String) });
  });

  test("says which levels it writes", () => {
    const log = errorLogger(new PassThrough());
    expect(log.isLevelEnabled("error")).toBe(true);
    expect(log.isLevelEnabled("debug")).toBe(false);
  });
});
