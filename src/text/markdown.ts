// The one Markdown escaper: every piece of text taken from a file or a run (job and file names,
// keys, messages, reasons, labels, log tails) goes into the status README and the Action's step
// summary through it, so no file can forge a heading, a link, an image from another host or a
// line of its own (SPEC §4, "What the agent writes").

/** Characters Markdown gives a meaning inline (emphasis, code, links and images, strikethrough,
 * table cells): written with a backslash, which GitHub's Markdown shows as the character. */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]~|]/g;
/** Control and bidirectional-override characters: they could start a line, or make the text
 * read otherwise than it is. */
const INVISIBLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** What GitHub links by itself in text (GFM's extended autolinks, and its own mentions): a
 * scheme's `://`, `www.`, and `@` before an address's domain or a user name. A zero-width space
 * there leaves the text as it reads and links nothing: a URL from a file is never a link that
 * looks like the agent's own. */
const AUTOLINK_STARTS = /:\/\/|(?<=\bwww)\.|(?<=@)(?=[\p{L}\p{N}_])/giu;

/** Plain text in a table cell or a list item: HTML is neutralised, Markdown punctuation
 * escaped, line breaks shown as <br>, other control characters as U+FFFD, bare URLs and
 * addresses kept from becoming links. */
export function cell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(MARKDOWN_PUNCTUATION, "\\$&")
    .replace(/\r?\n/g, "<br>")
    .replace(INVISIBLE, "\uFFFD")
    .replace(AUTOLINK_STARTS, (start) => (start === "://" ? "\u200B://" : `\u200B${start}`));
}

/** A code span fenced by one more backtick than the text's longest run, pipes escaped for
 * tables; inside it Markdown and HTML mean nothing. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, " ").replace(INVISIBLE, "\uFFFD");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat.replace(/\|/g, "\\|")}${pad}${fence}`;
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A fenced block whose fence is longer than any backtick run inside it. */
export function fenced(text: string, language = ""): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${text.replace(INVISIBLE, (c) => (c === "\n" ? c : "\uFFFD"))}\n${fence}`;
}
