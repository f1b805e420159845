// GET /events: server-sent events that keep open status pages current (SPEC §8). Changes are
// grouped (one message per GROUP_MS with every row that changed, rendered as the page renders
// it); a group larger than RELOAD_ABOVE rows, or jobs coming or going, tells the pages to reload
// instead. At most MAX_STREAMS streams at once (503 beyond): each holds a connection. Same
// access as the page; every write passes through the redactor (the router's sink).

import type { Logger } from "../log.js";
import { jobRowHtml } from "../page/render.js";
import type { PageChange, PageSource } from "../page/source.js";
import type { Access } from "./auth.js";
import { EVENT_STREAM_HEADERS, type Route, type StreamSink } from "./http.js";

export const EVENT_LIMITS = {
  maxStreams: 32,
  groupMs: 250,
  reloadAbove: 200,
  heartbeatMs: 25_000,
};

interface Stream {
  sink: StreamSink;
  /** Only this job's rows (a job's page), or every row. */
  job: string | null;
}

export interface EventRoutes {
  routes: Route[];
  /** Streams open now (for tests and metrics). */
  readonly open: number;
}

export function eventRoutes(options: {
  source: PageSource;
  access: Access;
  logger: Logger;
  now?: () => Date;
  limits?: Partial<typeof EVENT_LIMITS>;
}): EventRoutes {
  const { source, access } = options;
  const limits = { ...EVENT_LIMITS, ...options.limits };
  const now = options.now ?? (() => new Date());
  const logger = options.logger.child({ endpoint: "/events" });
  const streams = new Set<Stream>();
  let changed = new Set<string>();
  let reload = false;
  let timer: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;

  const flush = async () => {
    timer = null;
    const names = [...changed];
    const all = reload || names.length > limits.reloadAbove;
    changed = new Set();
    reload = false;
    if (all) {
      for (const s of streams) s.sink.event("reload", {});
      return;
    }
    if (names.length === 0 || streams.size === 0) return;
    try {
      const at = now();
      const rows = (await source.rows(names)).map((row) => ({
        name: row.name,
        html: jobRowHtml(row, at),
      }));
      for (const s of streams) {
        const mine = s.job === null ? rows : rows.filter((r) => r.name === s.job);
        if (mine.length > 0) s.sink.event("rows", { rows: mine });
      }
    } catch (err) {
      logger.warn({ err }, "could not send changed rows");
    }
  };

  const onChange = (change: PageChange) => {
    if ("reload" in change) reload = true;
    else for (const job of change.jobs) changed.add(job);
    timer ??= setTimeout(() => void flush(), limits.groupMs);
  };

  // Subscribed only while a page is open; the last one closing forgets everything.
  const forget = (stream: Stream) => {
    streams.delete(stream);
    if (streams.size > 0) return;
    unsubscribe?.();
    unsubscribe = null;
    if (timer) clearTimeout(timer);
    if (heartbeat) clearInterval(heartbeat);
    timer = null;
    heartbeat = null;
    changed = new Set();
    reload = false;
  };

  const route: Route = {
    method: "GET",
    pattern: "/events",
    handle(req) {
      const refused = access.read(req);
      if (refused) return refused;
      if (streams.size >= limits.maxStreams)
        return { status: 503, body: { error: "too many open status pages; try again later" } };
      return {
        status: 200,
        headers: EVENT_STREAM_HEADERS,
        stream(sink) {
          const stream: Stream = { sink, job: req.query.get("job") };
          streams.add(stream);
          unsubscribe ??= source.onChange(onChange);
          heartbeat ??= setInterval(() => {
            for (const s of streams) s.sink.write(": ping\n\n");
          }, limits.heartbeatMs);
          sink.onClose(() => forget(stream));
          sink.write("retry: 5000\n\n");
        },
      };
    },
  };
  return {
    routes: [route],
    get open() {
      return streams.size;
    },
  };
}
