// Docker's multiplexed stream (containers without a TTY): frames of an 8-byte header — stream
// type (1 stdout, 2 stderr), three zero bytes, payload length (big-endian uint32) — then the payload.
// A container with a terminal (`tty: true`) sends its one stream raw, and it is all stdout, as
// `docker logs` shows it.

import type { Readable } from "node:stream";

export type StreamName = "stdout" | "stderr";

/** Feeds each frame's payload to `onFrame`; resolves when the stream ends or fails. */
export function demultiplex(
  stream: Readable,
  onFrame: (name: StreamName, payload: Buffer) => void,
  tty = false,
): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  return new Promise((resolve) => {
    stream.on("data", (chunk: Buffer) => {
      if (tty) return onFrame("stdout", chunk);
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (pending.length - offset >= 8) {
        const size = pending.readUInt32BE(offset + 4);
        if (pending.length - offset - 8 < size) break;
        const type = pending[offset];
        onFrame(type === 2 ? "stderr" : "stdout", pending.subarray(offset + 8, offset + 8 + size));
        offset += 8 + size;
      }
      pending = pending.subarray(offset);
    });
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}
