// The status page's sessions (SPEC §4): after the token form, a browser holds a random session
// id in an HttpOnly cookie, never the token itself. Sessions live in memory only, for 12 hours
// at most, 1,000 at most (the oldest goes first), and end on logout or when the agent restarts.

import { randomBytes } from "node:crypto";

export const SESSION_COOKIE = "gitcron_session";
export const SESSION_TTL_MS = 12 * 3_600_000;
export const MAX_SESSIONS = 1_000;

export interface Sessions {
  /** A new session id: 32 random bytes, base64url. */
  create(): string;
  /** Whether the id names a live session (an expired one is forgotten). */
  valid(id: string | undefined): boolean;
  end(id: string | undefined): void;
  readonly size: number;
}

export function createSessions(
  options: { now?: () => number; ttlMs?: number; max?: number } = {},
): Sessions {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  const max = options.max ?? MAX_SESSIONS;
  // Insertion order is age order: the first key is the oldest session.
  const started = new Map<string, number>();
  return {
    create() {
      const id = randomBytes(32).toString("base64url");
      started.set(id, now());
      while (started.size > max) started.delete(started.keys().next().value as string);
      return id;
    },
    valid(id) {
      if (!id) return false;
      const at = started.get(id);
      if (at === undefined) return false;
      if (now() - at >= ttlMs) {
        started.delete(id);
        return false;
      }
      return true;
    },
    end(id) {
      if (id) started.delete(id);
    },
    get size() {
      return started.size;
    },
  };
}

/** The value of one cookie of a Cookie header. */
export function cookieOf(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join("; ") : header;
  if (!text) return undefined;
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value for a session; Secure when the request came over HTTPS (a proxy's
 * X-Forwarded-Proto), since a Secure cookie is never sent back over plain HTTP. */
export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure ? "; Secure" : ""}`;
}

export function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? "; Secure" : ""}`;
}
