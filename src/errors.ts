// Error kinds decide what the caller does: fix the input, retry later, or report a bug.

import { urlsWithoutCredentials } from "./text/url-credentials.js";

/** A bad flag or argument: exit 2, one sentence, no stack. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The environment is not usable (no Docker, repository unreachable): exit 2. */
export class EnvironmentError extends Error {
  override name = "EnvironmentError";
}

/** Strip credentials from URLs (`https://user:token@host` → `https://***@host`, read as a
 * URL: see url-credentials.ts) and known secret values from any text before it is logged or
 * committed. */
export function sanitize(text: string, secrets: Iterable<string> = []): string {
  let out = urlsWithoutCredentials(text);
  for (const s of secrets) {
    if (s.length >= 3) out = out.split(s).join("***");
  }
  return out;
}

/** The first line of an error's message, sanitised: what a user reads. */
export function oneLine(err: unknown, secrets: Iterable<string> = []): string {
  const msg = err instanceof Error ? err.message : String(err);
  return sanitize(msg.split("\n")[0]?.trim() || "unknown error", secrets);
}
