// How much of a log tail the status branch keeps. Pure.

/** The last `bytes` bytes of `text` (UTF-8), starting at a whole line where one fits: a
 * succeeded run's tail says it finished well in its last lines (SPEC §10, --status-tail). */
export function trimTail(text: string, bytes: number): string {
  const encoded = Buffer.from(text);
  if (encoded.length <= bytes) return text;
  if (bytes <= 0) return "";
  const from = encoded.length - bytes;
  // A character cut in two decodes as U+FFFD at the start: drop it.
  const cut = encoded
    .subarray(from)
    .toString("utf8")
    .replace(/^\uFFFD+/, "");
  if (encoded[from - 1] === 0x0a) return cut;
  const newline = cut.indexOf("\n");
  return newline >= 0 && newline < cut.length - 1 ? cut.slice(newline + 1) : cut;
}
