// Real receivers of notifications on loopback: an HTTP endpoint that records each POST (and can
// be made to refuse them, as a receiver that is down does), and an SMTP server that records mail.

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { SMTPServer } from "smtp-server";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

export interface HttpReceiver {
  url: string;
  received: Received[];
  /** While down, every POST gets 503 and is not recorded. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const received: Received[] = [];
  let down = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (down) {
        res.writeHead(503).end("down\n");
        return;
      }
      const body = Buffer.concat(chunks).toString();
      received.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.writeHead(200).end("ok\n");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook/secret-path-0123`,
    received,
    setDown: (value) => {
      down = value;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
}

export async function startSmtpReceiver(): Promise<{
  url: (from: string, to: string) => string;
  mails: Mail[];
  close(): Promise<void>;
}> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString();
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: decodeHeader(/^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? ""),
        });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.server.address() as { port: number };
  return {
    url: (from, to) => `smtp://127.0.0.1:${port}?from=${from}&to=${to}`,
    mails,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A mail header as read: folded lines joined, RFC 2047 encoded words (=?UTF-8?Q?…?=,
 * =?UTF-8?B?…?=) decoded. */
function decodeHeader(value: string): string {
  const unfolded = value.replace(/\r?\n[ \t]+/g, " ");
  // Whitespace between two encoded words is not part of the text.
  const joined = unfolded.replace(/\?=\s+=\?/g, "?==?");
  return joined
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : decodeURIComponent(
            text
              .replace(/_/g, " ")
              .replace(/%/g, "%25")
              .replace(/=([0-9A-F]{2})/gi, "%$1"),
          ),
    )
    .trim();
}
