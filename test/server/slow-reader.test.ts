// A stream's reader that stops reading is cut once what waits for it passes the bound, rather
// than the agent buffering a run's output for it without end.

import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import type { Route } from "../../src/server/http.js";
import { httpServers } from "./serve.js";

const { serve } = httpServers();

describe("a stream whose reader stops reading", () => {
  it("is cut when more than the bound waits unsent, and written to no more", async () => {
    let cut!: () => void;
    const closed = new Promise<void>((resolve) => {
      cut = resolve;
    });
    let written = 0;
    // Short words: the redactor's URL pass is slow on one long run of letters (see the report).
    const chunk = "data: word\n".repeat(6 * 1024);
    const route: Route = {
      method: "GET",
      pattern: "/flood",
      handle: () => ({
        status: 200,
        headers: { "content-type": "text/event-stream" },
        stream(sink) {
          sink.onClose(cut);
          const pump = () => {
            if (sink.closed) return;
            sink.write(chunk);
            written += chunk.length;
            setImmediate(pump);
          };
          pump();
        },
      }),
    };
    const url = new URL(
      await serve([route], silentLogger(), { limits: { streamBufferBytes: 256 * 1024 } }),
    );
    const socket = connect(Number(url.port), url.hostname);
    socket.write(`GET /flood HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    // Read the first bytes, then nothing more.
    await new Promise((resolve) => socket.once("data", resolve));
    socket.pause();
    await closed;
    const atCut = written;
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(atCut);
    socket.destroy();
  });
});
