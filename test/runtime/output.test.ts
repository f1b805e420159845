import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
import { demultiplex } from "../../src/runtime/demux.js";
import {
  createLineSplitter,
  createRunOutput,
  createTailBuffer,
  LOG_TAIL_BYTES,
} from "../../src/runtime/output.js";
import type { OutputLine } from "../../src/runtime/runtime.js";
import { createRedactor } from "../../src/secrets/redactor.js";
import { captureLogger } from "./capture-log.js";

const redactAll = (secrets: string[], chunks: string[]) => {
  const r = createRedactor(secrets).stream();
  return chunks.map((c) => r.push(c)).join("") + r.flush();
};

describe("secrets are masked in streamed output", () => {
  test.each([
    { name: "whole in one chunk", chunks: ["token=hunter2!\n"], out: "token=***!\n" },
    { name: "split across two chunks", chunks: ["token=hun", "ter2!\n"], out: "token=***!\n" },
    { name: "split one character at a time", chunks: [..."a hunter2 b\n"], out: "a *** b\n" },
    { name: "twice, at the very end", chunks: ["hunter2hunt", "er2"], out: "******" },
    { name: "a prefix that is not the secret", chunks: ["hunt", "ing\n"], out: "hunting\n" },
    {
      name: "the longer of two overlapping secrets wins",
      chunks: ["hunter2-long\n"],
      out: "***\n",
    },
  ])("$name", ({ chunks, out }) => {
    expect(redactAll(["hunter2", "hunter2-long"], chunks)).toBe(out);
  });

  test("a finished line is not held back when its end cannot start a secret", () => {
    const r = createRedactor(["a-rather-long-secret-value"]).stream();
    expect(r.push("done\n")).toBe("done\n");
    expect(r.push("partial a-rath")).toBe("partial ");
    expect(r.push("er-long-secret-value\n")).toBe("***\n");
  });

  test("regex characters in a secret are taken literally", () => {
    expect(redactAll(["a.b*c"], ["axb*c a.b*c\n"])).toBe("axb*c ***\n");
  });
});

describe("output is split into lines", () => {
  const split = (max: number, chunks: string[]) => {
    const lines: string[] = [];
    const s = createLineSplitter(max, (l) => lines.push(l));
    for (const c of chunks) s.push(c);
    s.flush();
    return lines;
  };
  test("lines across chunks, CRLF, a final line without newline", () => {
    expect(split(100, ["one\ntw", "o\r\nthree"])).toEqual(["one", "two", "three"]);
  });
  test("empty lines are kept", () => {
    expect(split(100, ["a\n\nb\n"])).toEqual(["a", "", "b"]);
  });
  test("an overlong line is cut into capped pieces, nothing lost", () => {
    expect(split(4, ["abcdefghij\n"])).toEqual(["abcd", "efgh", "ij"]);
    expect(split(4, ["abc", "defgh", "ij"])).toEqual(["abcd", "efgh", "ij"]);
  });
});

describe("the log tail keeps the last 4 KiB", () => {
  test("only the newest lines, at most maxBytes", () => {
    const tail = createTailBuffer(10);
    for (const l of ["aaaa", "bbbb", "cccc"]) tail.push(l);
    expect(tail.text()).toBe("bbbb\ncccc");
    tail.push("0123456789abc");
    expect(tail.text()).toBe("3456789abc");
  });
  test("cuts at a character boundary, never mid UTF-8 sequence", () => {
    const tail = createTailBuffer(5);
    tail.push("ééé"); // 6 bytes
    const text = tail.text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(5);
    expect(text).toBe("éé");
  });
});

test("a run's output: demultiplexed streams become redacted lines, logged and kept in the tail", () => {
  const { logger, records, text } = captureLogger();
  const lines: OutputLine[] = [];
  const out = createRunOutput({ secrets: ["s3cret"], logger, onLine: (l) => lines.push(l) });
  out.write("stdout", Buffer.from("key s3c"));
  out.write("stderr", Buffer.from("warn\n"));
  out.write("stdout", Buffer.from("ret ok\npartial"));
  // A multi-byte character split across writes survives.
  const euro = Buffer.from("€\n");
  out.write("stderr", euro.subarray(0, 1));
  out.write("stderr", euro.subarray(1));
  out.end();
  expect(lines).toEqual([
    { stream: "stderr", text: "warn" },
    { stream: "stdout", text: "key *** ok" },
    { stream: "stderr", text: "€" },
    { stream: "stdout", text: "partial" },
  ]);
  expect(records()).toContainEqual(
    expect.objectContaining({ stream: "stdout", msg: "key *** ok" }),
  );
  expect(text()).not.toContain("s3cret");
  expect(out.tail()).toBe("warn\nkey *** ok\n€\npartial");
  expect(out.tail()).not.toContain("s3cret");
  expect(LOG_TAIL_BYTES).toBe(4096);
});

describe("Docker's multiplexed stream is split into stdout and stderr", () => {
  const frame = (type: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  test("frames split anywhere across chunks, several frames in one chunk", async () => {
    const bytes = Buffer.concat([
      frame(1, "out-1\n"),
      frame(2, "err-1\n"),
      frame(1, ""),
      frame(1, "out-2\n"),
    ]);
    // Every possible split point: headers and payloads both cut in two.
    for (let cut = 0; cut <= bytes.length; cut++) {
      const stream = new PassThrough();
      const frames: string[] = [];
      const done = demultiplex(stream, (name, payload) => frames.push(`${name}:${payload}`));
      stream.write(bytes.subarray(0, cut));
      stream.end(bytes.subarray(cut));
      await done;
      expect(frames.filter((f) => !f.endsWith(":"))).toEqual([
        "stdout:out-1\n",
        "stderr:err-1\n",
        "stdout:out-2\n",
      ]);
    }
  });
});
