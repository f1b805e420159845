// Text from outside — a status branch anyone with push access can write, a job's output — as a
// terminal can show it without being driven by it.

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;

/** `text` with its control characters (C0, DEL, C1: escape sequences rewrite the screen, set
 * the title or ring the bell) shown as `\xNN`. One line by default, so a field cannot forge the
 * lines after it; `lines` keeps newlines and tabs, for a log tail. */
export function visible(text: string, lines = false): string {
  return text.replace(/\p{Cc}/gu, (c) => (lines && (c === "\n" || c === "\t") ? c : hex(c)));
}
