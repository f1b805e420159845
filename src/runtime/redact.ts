// Replaces every secret value with `***` in text that arrives in chunks. A secret may be split
// across two chunks (two writes of the job), so the end of a chunk that could be the start of a
// secret is held back until the next chunk, or the end, shows whether it is one.

export const MASK = "***";

export interface Redactor {
  /** Redacted text that is safe to emit now. */
  push(text: string): string;
  /** Whatever was held back, redacted: call once at the end of the stream. */
  flush(): string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function createRedactor(secrets: Iterable<string>): Redactor {
  // Longest first, so that a secret containing another is masked whole.
  const values = [...new Set(secrets)]
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return { push: (text) => text, flush: () => "" };
  const pattern = new RegExp(values.map(escapeRegExp).join("|"), "g");
  let carry = "";
  return {
    push(text) {
      const joined = (carry + text).replace(pattern, MASK);
      const held = heldBackLength(joined, values);
      carry = joined.slice(joined.length - held);
      return joined.slice(0, joined.length - held);
    },
    flush() {
      const out = carry.replace(pattern, MASK);
      carry = "";
      return out;
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
