// A string `entrypoint` or `command` is split into words the way docker compose
// does (POSIX shell quoting, no expansion), so `sh -c 'echo hi'` is three words.

export type SplitResult = { ok: true; words: string[] } | { ok: false; message: string };

export function splitWords(text: string): SplitResult {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1] as string)) {
        word += text[++i];
      } else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return { ok: false, message: `unterminated ${quote} quote` };
  if (inWord) words.push(word);
  return { ok: true, words };
}
