// The notification's `text` is read by chat webhooks (SPEC §7), and it carries a job's output.
// Slack's mrkdwn gives `<`, `>` and `&` a meaning (`<!channel>`, `<https://x|log in again>`,
// `<@U123>`) and reads `&lt;` `&gt;` `&amp;` back as the characters: its documented escaping.
// Mattermost translates the same Slack syntax, and renders Markdown and @-mentions from plain
// text besides: `[x](url)`, `![x](url)`, `@channel`, `@all`, `@alice`. A zero-width space after
// `]` or `@` keeps those from meaning anything and is invisible in both.

const ZERO_WIDTH_SPACE = "\u200B";
/** Direction overrides and isolates: they make a line read otherwise than it is. */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line as a chat webhook shows it: text, never markup. */
export const chatText = (line: string): string =>
  line
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\]\(/g, `]${ZERO_WIDTH_SPACE}(`)
    .replace(/@(?=[\p{L}\p{N}_])/gu, `@${ZERO_WIDTH_SPACE}`)
    .replace(BIDI, "\uFFFD");

/** The line back as written, for a plain-text mail, where nothing is markup. */
export const plainText = (chat: string): string =>
  chat
    .replaceAll(ZERO_WIDTH_SPACE, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
