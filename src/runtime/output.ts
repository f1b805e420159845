// A run's output: demultiplexed streams → UTF-8 text → secrets masked → lines. Each line goes to
// the caller and the logger, and the last 4 KiB stay as the log tail. Nothing here grows with the
// amount of output, so a job printing 50 MB keeps the agent's memory flat.

import { StringDecoder } from "node:string_decoder";
import type { Logger } from "../log.js";
import { createRedactor } from "../secrets/redactor.js";
import type { OutputLine } from "./runtime.js";

export const LOG_TAIL_BYTES = 4096;
/** Longer lines are cut into pieces of this many characters (a job printing a binary blob). */
export const MAX_LINE_CHARS = 16_384;

export interface RunOutput {
  /** Raw bytes of one stream, in the order they came; decoded, masked and split here. */
  write(stream: OutputLine["stream"], chunk: Buffer): void;
  /** Flushes what is held back (partial lines, a possible secret start). Idempotent. */
  end(): void;
  /** The last 4 KiB of output, lines joined with `\n`. */
  tail(): string;
}

export interface RunOutputOptions {
  secrets: Iterable<string>;
  logger: Logger;
  onLine?: (line: OutputLine) => void;
}

export function createRunOutput(options: RunOutputOptions): RunOutput {
  const tail = createTailBuffer(LOG_TAIL_BYTES);
  const secrets = [...options.secrets];
  const emit = (line: OutputLine) => {
    tail.push(line.text);
    options.onLine?.(line);
    options.logger.info({ stream: line.stream }, line.text);
  };
  const streams = {
    stdout: createLineStream("stdout", secrets, emit),
    stderr: createLineStream("stderr", secrets, emit),
  };
  let ended = false;
  return {
    write: (stream, chunk) => streams[stream].write(chunk),
    end() {
      if (ended) return;
      ended = true;
      streams.stdout.end();
      streams.stderr.end();
    },
    tail: () => tail.text(),
  };
}

function createLineStream(
  stream: OutputLine["stream"],
  secrets: readonly string[],
  emit: (line: OutputLine) => void,
) {
  const decoder = new StringDecoder("utf8");
  const redactor = createRedactor(secrets).stream();
  const splitter = createLineSplitter(MAX_LINE_CHARS, (text) => emit({ stream, text }));
  return {
    write(chunk: Buffer) {
      splitter.push(redactor.push(decoder.write(chunk)));
    },
    end() {
      splitter.push(redactor.push(decoder.end()));
      splitter.push(redactor.flush());
      splitter.flush();
    },
  };
}

export function createLineSplitter(maxChars: number, emit: (line: string) => void) {
  let partial = "";
  return {
    push(text: string) {
      let buffer = partial + text;
      let start = 0;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n", start)) {
        emitCapped(buffer.slice(start, nl > start && buffer[nl - 1] === "\r" ? nl - 1 : nl));
        start = nl + 1;
      }
      buffer = buffer.slice(start);
      while (buffer.length >= maxChars) {
        emit(buffer.slice(0, maxChars));
        buffer = buffer.slice(maxChars);
      }
      partial = buffer;
    },
    flush() {
      if (partial.length > 0) emitCapped(partial);
      partial = "";
    },
  };
  function emitCapped(line: string) {
    for (let i = 0; i < line.length || i === 0; i += maxChars) emit(line.slice(i, i + maxChars));
  }
}

/** The last `maxBytes` (UTF-8) of the lines pushed, joined with `\n`. */
export function createTailBuffer(maxBytes: number) {
  const lines: { text: string; bytes: number }[] = [];
  let total = 0;
  return {
    push(text: string) {
      const bytes = Buffer.byteLength(text) + 1;
      lines.push({ text, bytes });
      total += bytes;
      // Drop the oldest line while the rest still fills the tail (total counts one `\n` per line).
      while (lines.length > 1 && total - (lines[0]?.bytes ?? 0) > maxBytes) {
        total -= lines.shift()?.bytes ?? 0;
      }
    },
    text(): string {
      const joined = Buffer.from(lines.map((l) => l.text).join("\n"));
      if (joined.length <= maxBytes) return joined.toString();
      // Cut at a character boundary: skip UTF-8 continuation bytes (10xxxxxx).
      let cut = joined.length - maxBytes;
      while (cut < joined.length && ((joined[cut] ?? 0) & 0xc0) === 0x80) cut++;
      if (joined[cut] === 0x0a) cut++; // no tail starts with an empty line
      return joined.subarray(cut).toString();
    },
  };
}
