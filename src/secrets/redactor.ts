// The one redactor (SPEC §4): every line the agent logs, commits, serves over HTTP or sends
// passes through it. It knows every secret value the agent holds and masks each as `***` in
// the forms it takes on the way out (as is, JSON-escaped, URL-encoded, escaped for HTML and for
// Markdown), and strips credentials from URLs. Run output, which arrives in chunks, is masked by a stream that holds back the end
// of a chunk that could be the start of a secret.

import { sanitize } from "../errors.js";
import { escapeHtml } from "../text/html.js";
import { cell } from "../text/markdown.js";

export const MASK = "***";

/** Agent-wide values shorter than this are not masked: "1" or "yes" would mask ordinary text
 * everywhere. A run's own fromEnv values are masked in its output at any length. */
export const MIN_AGENT_SECRET_LENGTH = 4;

export interface StreamRedactor {
  /** Redacted text that is safe to emit now. */
  push(text: string): string;
  /** Whatever was held back, redacted: call once at the end of the stream. */
  flush(): string;
}

export interface Redactor {
  /** The text with every secret masked and URL credentials removed. */
  redact(text: string): string;
  /** The same value with every string in it redacted (keys too): for what is written as JSON,
   * so that masking never cuts through the JSON's own punctuation. */
  value<T>(value: T): T;
  /** A redactor for text that arrives in chunks. */
  stream(): StreamRedactor;
  /** How many distinct values it masks (for the start-up log line; never the values). */
  readonly size: number;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A value as it appears in a JSON string, in a URL, on a page, and in the status README (a
 * table cell, a code span): the final pass over an answer sees a secret however it was escaped
 * (values are redacted before escaping too; this is the second line). */
function formsOf(value: string): string[] {
  return [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    escapeHtml(value),
    cell(value),
    value.replace(/\|/g, "\\|"),
  ];
}

export function createRedactor(
  secrets: Iterable<string>,
  options: { minLength?: number } = {},
): Redactor {
  const minLength = Math.max(1, options.minLength ?? 1);
  const base = [...new Set(secrets)].filter((s) => s.length >= minLength);
  // Longest first, so that a secret containing another is masked whole.
  const values = [...new Set(base.flatMap(formsOf))].sort((a, b) => b.length - a.length);
  const pattern = values.length ? new RegExp(values.map(escapeRegExp).join("|"), "g") : null;
  const mask = (text: string) => (pattern ? text.replace(pattern, MASK) : text);
  const redact = (text: string) => sanitize(mask(text));
  const deep = (v: unknown): unknown => {
    if (typeof v === "string") return redact(v);
    if (Array.isArray(v)) return v.map(deep);
    // A Date (or anything else with toJSON) is what JSON.stringify would write.
    if (v && typeof (v as { toJSON?: unknown }).toJSON === "function")
      return deep((v as { toJSON(): unknown }).toJSON());
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [redact(k), deep(inner)]));
    }
    return v;
  };
  return {
    size: base.length,
    redact,
    value: <T>(v: T) => deep(v) as T,
    stream() {
      if (!pattern) return { push: (text) => text, flush: () => "" };
      let carry = "";
      return {
        push(text) {
          const joined = mask(carry + text);
          const held = heldBackLength(joined, values);
          carry = joined.slice(joined.length - held);
          return joined.slice(0, joined.length - held);
        },
        flush() {
          const out = mask(carry);
          carry = "";
          return out;
        },
      };
    },
  };
}

/** Length of the longest end of `text` that is the beginning of some secret: held back only that
 * much, so a finished line is not delayed when it cannot be part of a secret. */
function heldBackLength(text: string, secrets: readonly string[]): number {
  let longest = 0;
  for (const secret of secrets) {
    for (let k = Math.min(secret.length - 1, text.length); k > longest; k--) {
      if (text.endsWith(secret.slice(0, k))) {
        longest = k;
        break;
      }
    }
  }
  return longest;
}
