// Who may see jobs and runs, and who may act on them (SPEC §4, "HTTP"). Health, readiness,
// metrics and signed webhooks are open; everything that shows a job or a run needs the API token
// (as a bearer token, or the session cookie the status page's token form sets) — except that an
// agent with no token, listening on loopback only, lets its own host read and act (a manual run,
// a stop, a pause): a program on the host (gitcron trigger, curl) or the agent's own page, never
// a page of another site the host's browser has open.

import type { Logger } from "../log.js";
import { constantTimeEqual } from "./hooks.js";
import type { Request, Response } from "./http.js";
import { cookieOf, SESSION_COOKIE, type Sessions } from "./sessions.js";

export const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(host);

export function bearerToken(req: Pick<Request, "headers">): string | undefined {
  const value = req.headers.authorization;
  const match = value ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value) : null;
  return match?.[1];
}

export const header = (req: Pick<Request, "headers">, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The name in a Host header, without its port ("[::1]:8080" → "::1"); undefined if malformed. */
export function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    const { hostname } = new URL(`http://${host}`);
    return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  } catch {
    return undefined;
  }
}

/** A state change sent by a page of this very agent: its Origin names the host the request was
 * sent to, and the browser's Sec-Fetch-Site (when it sends one) says same-origin. SameSite=Strict
 * already keeps the cookie off other sites' requests; this also refuses a sibling subdomain
 * (same site, other origin) and an old browser that ignores SameSite. */
export function isSameOrigin(req: Pick<Request, "headers">): boolean {
  const origin = header(req, "origin");
  const host = header(req, "host");
  if (!origin || !host || origin === "null") return false;
  try {
    if (new URL(origin).host !== new URL(`http://${host}`).host) return false;
  } catch {
    return false;
  }
  const site = header(req, "sec-fetch-site");
  return site === undefined || site === "same-origin";
}

/** A request no page of another origin sent: the agent's own page (same-origin, as isSameOrigin
 * checks), or a program (gitcron trigger, curl), which sends neither Origin nor Sec-Fetch-Site —
 * headers every current browser adds to a cross-origin POST. A Referer naming another host is
 * refused too: a browser old enough to send no Origin on a form post still sends one. */
export function isNotCrossOrigin(req: Pick<Request, "headers">): boolean {
  if (header(req, "origin") !== undefined || header(req, "sec-fetch-site") !== undefined)
    return isSameOrigin(req);
  const referer = header(req, "referer");
  if (referer === undefined) return true;
  try {
    return new URL(referer).host === new URL(`http://${header(req, "host") ?? ""}`).host;
  } catch {
    return false;
  }
}

export const unauthorized = (error: string): Response => ({
  status: 401,
  body: { error },
  headers: { "www-authenticate": 'Bearer realm="gitcron"' },
});

const forbidden = (error: string): Response => ({ status: 403, body: { error } });

export interface Access {
  /** Null when the request may read jobs and runs; else the answer to send instead. */
  read(req: Request): Response | null;
  /** Null when the request may act (a manual run); else the answer to send instead. */
  act(req: Request): Response | null;
  /** Whether anyone may act at all: the agent has a token, or listens on loopback only. */
  canAct: boolean;
  /** The status page's sessions; null when the agent has no token (there is nothing to log
   * in with). */
  sessions: Sessions | null;
  /** Whether the token is right (constant time). */
  tokenMatches(given: string): boolean;
}

export const NO_TOKEN_BEYOND_LOOPBACK =
  "jobs and runs are shown only with --api-token when the agent listens beyond loopback";

export function accessFor(options: {
  token: string | undefined;
  listenHost: string;
  logger: Logger;
  sessions?: Sessions;
}): Access {
  const { token, logger } = options;
  const sessions = token ? (options.sessions ?? null) : null;
  const tokenMatches = (given: string) => !!token && constantTimeEqual(given, token);
  const hasSession = (req: Request) =>
    !!sessions && sessions.valid(cookieOf(req.headers.cookie, SESSION_COOKIE));
  const checkBearer = (req: Request): Response | null => {
    const given = bearerToken(req);
    if (given === undefined) return unauthorized("send Authorization: Bearer <api token>");
    if (!tokenMatches(given)) {
      logger.warn({ path: req.path }, "request refused: wrong API token");
      return unauthorized("the API token is not valid");
    }
    return null;
  };
  const openOnLoopback = !token && isLoopback(options.listenHost);
  // A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name
  // as Host: only loopback names pass.
  const loopbackName = (req: Request) => {
    const name = hostName(header(req, "host"));
    return !!name && isLoopback(name);
  };
  return {
    sessions,
    tokenMatches,
    canAct: !!token || openOnLoopback,
    read(req) {
      if (openOnLoopback)
        return loopbackName(req)
          ? null
          : forbidden("on a loopback listener without --api-token, only loopback host names read");
      if (!token) return forbidden(NO_TOKEN_BEYOND_LOOPBACK);
      if (bearerToken(req) === undefined && hasSession(req)) return null;
      return checkBearer(req);
    },
    act(req) {
      if (openOnLoopback) {
        if (!loopbackName(req))
          return forbidden(
            "on a loopback listener without --api-token, only loopback host names act",
          );
        if (isNotCrossOrigin(req)) return null;
        logger.warn({ path: req.path }, "request refused: sent by a page of another origin");
        return forbidden("a request from a browser must come from this agent's page");
      }
      if (!token) return forbidden(NO_TOKEN_BEYOND_LOOPBACK);
      if (bearerToken(req) === undefined && hasSession(req)) {
        if (isSameOrigin(req)) return null;
        logger.warn({ path: req.path }, "request refused: a cookie without a same-origin Origin");
        return forbidden("a request with the session cookie must come from this agent's page");
      }
      return checkBearer(req);
    },
  };
}
