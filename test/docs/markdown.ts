// Reading the README and docs/ as the examples test needs them: fenced blocks with their info
// strings, the prose outside them (for inline code and links), the headings' GitHub anchors,
// and the gitcron command lines a block or an inline code span mentions.

export interface Block {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word: sh, console, yaml, json, … ("" when none). */
  lang: string;
  /** The info string's other words: `test`, then the marker's options. */
  marks: string[];
  code: string;
}

export interface Page {
  file: string;
  blocks: Block[];
  /** The text outside fenced blocks, fenced lines blanked so line numbers stay. */
  prose: string;
}

export function parsePage(file: string, text: string): Page {
  const blocks: Block[] = [];
  const prose: string[] = [];
  const lines = text.split("\n");
  let open: { fence: string; line: number; info: string[]; body: string[] } | undefined;
  lines.forEach((line, i) => {
    if (open) {
      if (line.trim() === open.fence) {
        const [lang = "", ...marks] = open.info;
        blocks.push({ file, line: open.line, lang, marks, code: open.body.join("\n") });
        open = undefined;
      } else {
        open.body.push(line);
      }
      prose.push("");
      return;
    }
    const fence = /^(```+|~~~+)\s*(.*)$/.exec(line.trim());
    if (fence) {
      open = {
        fence: fence[1] as string,
        line: i + 1,
        info: (fence[2] as string).split(/\s+/).filter(Boolean),
        body: [],
      };
      prose.push("");
      return;
    }
    prose.push(line);
  });
  if (open) throw new Error(`${file}:${open.line}: a fenced block is never closed`);
  return { file, blocks, prose: prose.join("\n") };
}

/** Inline code spans of the prose (single backticks; a span may run over a line break). */
export function inlineCode(prose: string): string[] {
  return [...prose.matchAll(/(?<!`)`([^`]+)`(?!`)/g)].map((m) =>
    (m[1] as string).replace(/\n/g, " "),
  );
}

/** GitHub's anchor for each heading, with -1, -2, … for repeats. */
export function anchorsOf(page: Page): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of page.prose.split("\n")) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] as string)
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Links of the prose: [text](target). */
export function linksOf(page: Page): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  for (const m of page.prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    const line = page.prose.slice(0, m.index).split("\n").length;
    links.push({ target: m[1] as string, line });
  }
  return links;
}

/** The command lines of a shell block: continuations joined, heredoc bodies left out; for a
 * console block, only the lines after a `$ ` prompt. */
export function commandLines(block: Block): string[] {
  const lines = block.code.split("\n");
  const out: string[] = [];
  let heredoc: string | undefined;
  let pending = "";
  for (const raw of lines) {
    if (heredoc !== undefined) {
      if (raw.trim() === heredoc) heredoc = undefined;
      continue;
    }
    let line = raw;
    if (block.lang === "console" && !pending) {
      if (!line.startsWith("$ ")) continue;
      line = line.slice(2);
    }
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = pending + line;
    pending = "";
    const here = /<<-?\s*['"]?(\w+)['"]?/.exec(full);
    if (here) heredoc = here[1];
    out.push(full);
  }
  return out;
}

export interface GitcronCall {
  /** The word after gitcron: a command, or a top-level flag such as --version. */
  command: string;
  flags: string[];
}

/** Shell words of a line, quotes kept out, cut at a comment; separators are words of their own. */
function words(line: string): string[] {
  const out: string[] = [];
  let word = "";
  let quote: string | undefined;
  let inWord = false;
  const end = () => {
    if (inWord) out.push(word);
    word = "";
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      end();
    } else if (c === "#" && !inWord) {
      break;
    } else if ("|;&()`".includes(c)) {
      end();
      out.push(c);
    } else if (c === "$" && line[i + 1] === "(") {
      end();
      out.push("$(");
      i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  end();
  return out;
}

/** Programs that run the command after them (their own options skipped). */
const WRAPPERS: Record<string, { valued: string[]; positional: number }> = {
  timeout: { valued: ["-s", "--signal", "-k", "--kill-after"], positional: 1 },
  sudo: { valued: ["-u", "-g"], positional: 0 },
  npx: { valued: ["-p", "--package"], positional: 0 },
  exec: { valued: [], positional: 0 },
  nohup: { valued: [], positional: 0 },
  time: { valued: [], positional: 0 },
};

/** Every `gitcron …` a line runs, as the first word of a command (after variables and
 * wrappers such as `timeout 20`): `docker run … gitcron validate` names an image, not this. */
export function gitcronCalls(line: string): GitcronCall[] {
  const calls: GitcronCall[] = [];
  const all = words(line.replace(/\\\|/g, "/").replace(/[[\]]/g, " "));
  let segment: string[] = [];
  const flush = () => {
    let i = 0;
    while (i < segment.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(segment[i] as string)) i++;
    for (let wrapper = WRAPPERS[segment[i] ?? ""]; wrapper; wrapper = WRAPPERS[segment[i] ?? ""]) {
      i++;
      while ((segment[i] ?? "").startsWith("-")) {
        i += wrapper.valued.includes(segment[i] as string) ? 2 : 1;
      }
      i += wrapper.positional;
    }
    if (segment[i] === "gitcron" && segment[i + 1] !== undefined) {
      const command = segment[i + 1] as string;
      if (/^(-{1,2}[a-z][a-z-]*|[a-z][a-z-]*)$/.test(command)) {
        const flags = command.startsWith("-")
          ? []
          : segment
              .slice(i + 2)
              .map((w) => /^(-{1,2}[A-Za-z][\w-]*)/.exec(w)?.[1])
              .filter((f): f is string => f !== undefined);
        calls.push({ command, flags });
      }
    }
    segment = [];
  };
  for (const w of all) {
    if (["|", ";", "&", "(", ")", "`", "$("].includes(w)) flush();
    else segment.push(w);
  }
  flush();
  return calls;
}

/** Whether `printed` is what `expected` shows: `…` in a line stands for any text, a line of
 * `…` alone for any number of lines. */
export function linesMatch(printed: readonly string[], expected: readonly string[]): boolean {
  const [first, ...rest] = expected;
  if (first === undefined) return printed.length === 0;
  if (first === "…") {
    for (let skip = 0; skip <= printed.length; skip++)
      if (linesMatch(printed.slice(skip), rest)) return true;
    return false;
  }
  const pattern = first
    .split("…")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return (
    printed[0] !== undefined &&
    new RegExp(`^${pattern}$`).test(printed[0]) &&
    linesMatch(printed.slice(1), rest)
  );
}
