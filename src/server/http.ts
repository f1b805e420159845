// The agent's HTTP side: a tiny router on node:http. Routes live in their own files and
// are handed in, so this file knows nothing about jobs or metrics.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { EnvironmentError } from "../errors.js";
import type { Logger } from "../log.js";
import { createRedactor, type Redactor } from "../secrets/redactor.js";
import { Html, renderHtml, streamHtml, writeHtmlPaced } from "../text/html.js";
import { limitConnectionsPerPeer } from "./peer-connections.js";

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  /** The query string (`/events?job=a`). */
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The raw body, read only for routes that ask for it (capped). */
  body: Buffer;
  /** The connection's remote address (never a forwarded header, which any client can write). */
  peer: string;
}

export interface Response {
  status: number;
  /** A string is sent as text, Html as a page, anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string | string[]>;
  /** Takes the connection over instead of a body (server-sent events). */
  stream?: (sink: StreamSink) => void;
}

/** A response that stays open. Every write passes through the redactor, as every answer does. */
export interface StreamSink {
  /** Writes redacted text as it is. */
  write(text: string): void;
  /** One server-sent event whose data is JSON: its strings redacted, Html values serialised
   * with their data redacted (the markup is never run through the redactor). */
  event(name: string, data: unknown): void;
  end(): void;
  /** Called once when the client goes away or end() is called. */
  onClose(listener: () => void): void;
  readonly closed: boolean;
}

/** Sent with every page: no script, style or request from anywhere but the agent, no inline
 * or eval'd script, not framed by other sites. */
export const PAGE_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  // Not no-referrer: with it, browsers send `Origin: null` on a same-page form post, which the
  // same-origin check of cookie-authenticated posts must refuse.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

/** A stream of server-sent events: not cached, not buffered by a proxy (nginx). */
export const EVENT_STREAM_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
};

export interface Route {
  method: "GET" | "POST";
  /** A path such as `/jobs/:name/run`. */
  pattern: string;
  /** Largest body accepted, in bytes (413 above); 0 = no body read. */
  maxBody?: number;
  handle(req: Request): Promise<Response> | Response;
}

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(":")) {
      // A malformed escape (`%E0`) is no route, not a crash.
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return params;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A page, written as it is serialised with pauses between chunks (see writeHtmlPaced): at
 * 5,000 jobs the browser has the head, asks for the stylesheet and gets it, and paints the top
 * of the page while the rows are still being written. */
async function sendPage(res: ServerResponse, r: Response, redactor: Redactor): Promise<void> {
  res.writeHead(r.status, {
    "content-type": "text/html; charset=utf-8",
    ...PAGE_HEADERS,
    ...r.headers,
  });
  await writeHtmlPaced(r.body as Html, redactor.redact, (chunk) => res.write(chunk), {
    gone: () => res.destroyed,
  });
  res.end();
}

/** A value for JSON: strings redacted, Html serialised with its data redacted. */
function redactedValue(v: unknown, redactor: Redactor): unknown {
  if (v instanceof Html) return renderHtml(v, redactor.redact);
  if (typeof v === "string") return redactor.redact(v);
  if (Array.isArray(v)) return v.map((item) => redactedValue(item, redactor));
  if (v && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON !== "function") {
    return Object.fromEntries(
      Object.entries(v).map(([k, inner]) => [redactor.redact(k), redactedValue(inner, redactor)]),
    );
  }
  return redactor.value(v);
}

/** Every answer passes through the redactor (SPEC §4: no secret the agent holds is served).
 * A page is redacted value by value as it is serialised, before each value is escaped: once
 * escaped, a secret holding `&` or `<` would no longer be recognised, and running the redactor
 * over the page's own markup could break it (a secret that is a plain word). */
function send(res: ServerResponse, r: Response, redactor: Redactor): void {
  if (r.body instanceof Html) {
    res.writeHead(r.status, {
      "content-type": "text/html; charset=utf-8",
      ...PAGE_HEADERS,
      ...r.headers,
    });
    // Written as it is serialised: at 5,000 jobs the browser has the head and the first rows
    // (and asks for the stylesheet) while the rest is still being written.
    streamHtml(r.body, redactor.redact, (chunk) => res.write(chunk));
    res.end();
    return;
  }
  const isText = typeof r.body === "string";
  const payload =
    r.body === undefined
      ? ""
      : isText
        ? redactor.redact(r.body as string)
        : `${JSON.stringify(redactor.value(r.body), null, 2)}\n`;
  res.writeHead(r.status, {
    "content-type": isText ? "text/plain; charset=utf-8" : "application/json",
    ...r.headers,
  });
  res.end(payload);
}

function openStream(
  req: IncomingMessage,
  res: ServerResponse,
  r: Response,
  redactor: Redactor,
  maxBuffered: number,
): void {
  const listeners: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const listener of listeners.splice(0)) listener();
  };
  res.on("close", close);
  req.socket.setKeepAlive(true);
  res.writeHead(r.status, { ...r.headers });
  // A reader slower than what is written to it is cut, rather than the agent holding an
  // ever-growing buffer for it.
  const put = (text: string) => {
    res.write(text);
    if (res.writableLength > maxBuffered) {
      res.destroy();
      close();
    }
  };
  const sink: StreamSink = {
    write(text) {
      if (!closed) put(redactor.redact(text));
    },
    event(name, data) {
      if (closed) return;
      const json = JSON.stringify(redactedValue(data, redactor));
      put(`event: ${name}\ndata: ${json}\n\n`);
    },
    end() {
      if (!closed) res.end();
      close();
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
    get closed() {
      return closed;
    },
  };
  r.stream?.(sink);
}

export interface HttpServer {
  server: Server;
  /** The address actually bound (port 0 picks a free one). */
  address: { host: string; port: number };
  /** Routes served from now on; until then every request gets 503 "starting". */
  setRoutes(routes: readonly Route[]): void;
  close(): Promise<void>;
}

/** Bounds that keep slow or idle clients from holding the agent's file descriptors (SPEC §4):
 * a connection that has not sent its headers within HEADERS_TIMEOUT_MS, or its whole request
 * within REQUEST_TIMEOUT_MS, is closed; idle keep-alive connections after KEEP_ALIVE_MS; and
 * past MAX_CONNECTIONS new ones are refused at once, as are a peer's beyond MAX_PER_PEER (half:
 * one address never takes every slot, so /healthz still answers the others). A stream whose
 * reader leaves more than STREAM_BUFFER_BYTES unread is cut. */
export const HTTP_LIMITS = {
  maxConnections: 128,
  maxPerPeer: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveMs: 5_000,
  checkEveryMs: 1_000,
  /** What a stream (server-sent events) may hold unsent for a slow reader before it is cut. */
  streamBufferBytes: 1024 * 1024,
};

export async function startHttpServer(options: {
  host: string;
  port: number;
  routes?: readonly Route[];
  logger: Logger;
  /** Every answer passes through it; default: one that only strips URL credentials. */
  redactor?: Redactor;
  limits?: Partial<typeof HTTP_LIMITS>;
}): Promise<HttpServer> {
  const { logger } = options;
  const limits = { ...HTTP_LIMITS, ...options.limits };
  let routes: readonly Route[] | null = options.routes ?? null;
  const redactor = options.redactor ?? createRedactor([]);
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    },
    async (req, res) => {
      if (!routes) {
        send(res, { status: 503, body: "starting\n" }, redactor);
        return;
      }
      const url = new URL(req.url ?? "/", "http://agent");
      const method = req.method ?? "GET";
      let pathMatched = false;
      for (const route of routes) {
        const params = match(route.pattern, url.pathname);
        if (!params) continue;
        pathMatched = true;
        if (route.method !== method) continue;
        try {
          const body = route.maxBody ? await readBody(req, route.maxBody) : Buffer.alloc(0);
          const answer = await route.handle({
            method,
            path: url.pathname,
            params,
            query: url.searchParams,
            headers: req.headers,
            body,
            peer: req.socket.remoteAddress ?? "",
          });
          if (answer.stream) openStream(req, res, answer, redactor, limits.streamBufferBytes);
          else if (answer.body instanceof Html) await sendPage(res, answer, redactor);
          else send(res, answer, redactor);
        } catch (err) {
          if (err instanceof BodyTooLarge)
            return send(res, { status: 413, body: { error: "request body too large" } }, redactor);
          // The client went away mid-request (its body cut off by the request timeout, or it
          // hung up): its problem, not the agent's, and nobody is left to answer.
          if (req.destroyed) return;
          logger.error({ err, path: url.pathname }, "HTTP handler failed");
          // A page that failed half-way has sent its status already: cut it short.
          if (res.headersSent) res.destroy();
          else send(res, { status: 500, body: { error: "internal error" } }, redactor);
        }
        return;
      }
      send(
        res,
        pathMatched
          ? { status: 405, body: { error: "method not allowed" } }
          : { status: 404, body: { error: "not found" } },
        redactor,
      );
    },
  );
  server.maxConnections = limits.maxConnections;
  let lastRefusal = 0;
  limitConnectionsPerPeer(server, limits.maxPerPeer, (peer) => {
    if (Date.now() - lastRefusal < 10_000) return;
    lastRefusal = Date.now();
    logger.warn(
      { peer, maxPerPeer: limits.maxPerPeer },
      "a peer holds its share of HTTP connections; new ones from it are closed",
    );
  });
  // A malformed request or a client gone mid-request is that client's problem, not the agent's.
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(listenError(err, options.host, options.port)));
    server.listen(options.port, options.host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  // After listening, an error here (EMFILE while accepting) must not end the agent: the
  // connection is lost, the agent and its other connections go on.
  let lastWarned = 0;
  server.on("error", (err) => {
    if (Date.now() - lastWarned < 10_000) return;
    lastWarned = Date.now();
    logger.warn({ err: (err as Error).message }, "HTTP server could not accept a connection");
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : options.port;
  return {
    server,
    address: { host: options.host, port },
    setRoutes(next) {
      routes = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `--listen` cannot be bound: one sentence saying why and what to do. */
function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const at = `--listen ${host.includes(":") ? `[${host}]` : host}:${port}`;
  const why =
    code === "EADDRINUSE"
      ? "the port is already in use; stop what listens there or choose another port"
      : code === "EACCES"
        ? "binding it needs privileges this user does not have; choose a port above 1023"
        : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
          ? "no network interface of this machine has that address"
          : (err as Error).message;
  return new EnvironmentError(`${at}: ${why}`);
}
