// A small client for the Docker Engine API over node:http — the calls gitcron makes and nothing
// else. dockerode does the same and more, but loading it (ssh2, gRPC, protobuf) costs ~150 ms on
// every `gitcron run`, more than the difference the run benchmark allows next to `docker run`.

import type { IncomingMessage, RequestOptions } from "node:http";

// Taken as CommonJS modules, not imported: Node 22+ builds an ES module's view of node:http by
// reading every export, and its lazy WebSocket export loads undici (~40 ms of CPU on each
// `gitcron run`). node:https (and TLS with it) is loaded only for an engine reached over TLS.
type Request = typeof import("node:http").request;
const requestFor = (tls: EngineEndpoint["tls"]): Request =>
  tls
    ? process.getBuiltinModule("node:https").request
    : process.getBuiltinModule("node:http").request;

/** An HTTP error from the engine: `statusCode` and the engine's own `json.message`. */
export class EngineError extends Error {
  override name = "EngineError";
  constructor(
    message: string,
    readonly statusCode: number,
    readonly json: { message?: string } | undefined,
  ) {
    super(message);
  }
}

export interface EngineEndpoint {
  /** Where the engine is, as a user would write it in DOCKER_HOST. */
  address: string;
  /** `socketPath`, or `host` and `port`. */
  connect: Pick<RequestOptions, "socketPath" | "host" | "port">;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

type Query = Record<string, string | number | boolean | undefined>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that are not errors, besides 2xx (e.g. 304 "already started"). */
  alsoOk?: number[];
  /** Fails with ETIMEDOUT (unreachable) when the connection stays silent this long. */
  timeoutMs?: number;
}

export interface EngineClient {
  readonly address: string;
  /** Sends JSON; resolves with the answer parsed when it is JSON, else its text (`_ping`'s "OK"). */
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<T>;
  /** Resolves with the answer's body as a stream once the engine accepted the request. */
  open(method: string, path: string, options?: CallOptions): Promise<IncomingMessage>;
}

export function createEngineClient(endpoint: EngineEndpoint): EngineClient {
  const request = requestFor(endpoint.tls);
  const send = (method: string, path: string, options: CallOptions) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string | number> = { ...options.headers };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        headers["Content-Length"] = Buffer.byteLength(body);
      }
      const requestOptions: RequestOptions & { servername?: string } = {
        ...endpoint.connect,
        ...endpoint.tls,
        // A server name matters only to TLS. Saying there is none spares node:http's agent from
        // working one out with net.isIP, whose IPv6 pattern compiles on its first use: ~4 ms of
        // every `gitcron run`.
        ...(endpoint.tls ? {} : { servername: "" }),
        method,
        path: `${path}${queryString(options.query)}`,
        headers,
      };
      const req = request(requestOptions, resolve);
      req.once("error", reject);
      const ms = options.timeoutMs;
      if (ms !== undefined)
        req.setTimeout(ms, () =>
          req.destroy(
            Object.assign(new Error(`no answer within ${ms / 1000}s`), { code: "ETIMEDOUT" }),
          ),
        );
      req.end(body);
    });

  async function open(method: string, path: string, options: CallOptions = {}) {
    const res = await send(method, path, options);
    const status = res.statusCode ?? 0;
    if ((status >= 200 && status < 300) || options.alsoOk?.includes(status)) return res;
    const text = await readAll(res);
    throw engineError(method, path, status, text);
  }

  return {
    address: endpoint.address,
    open,
    async call<T>(method: string, path: string, options: CallOptions = {}) {
      const res = await open(method, path, options);
      const text = await readAll(res);
      const json = /json/.test(res.headers["content-type"] ?? "");
      return (json && text ? JSON.parse(text) : text || undefined) as T;
    },
  };
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function readAll(stream: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function engineError(method: string, path: string, status: number, text: string): EngineError {
  let json: { message?: string } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = text.trim() ? { message: text.trim() } : undefined;
  }
  return new EngineError(
    `${method} ${path.split("?")[0]}: HTTP ${status}: ${json?.message ?? "no message"}`,
    status,
    json,
  );
}
