// Ofelia's INI file, as gcfg (git-config syntax) reads it: `[job-run "name"]` sections, `key =
// value` lines (a key may repeat: volume, env), `;` and `#` comments, double quotes with
// backslash escapes, a trailing backslash continuing a value on the next line.

import type { Position } from "../jobs/positions.js";
import type { OfeliaSection } from "./ofelia.js";

const SECTION = /^\[\s*([A-Za-z][\w.-]*)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\](?:\s*[;#].*)?$/;
const SETTING = /^([A-Za-z][\w-]*)\s*(?:=(.*))?$/;

export interface IniProblem {
  at: Position;
  message: string;
}

export function parseOfeliaIni(text: string): {
  sections: OfeliaSection[];
  problems: IniProblem[];
} {
  const sections: OfeliaSection[] = [];
  const problems: IniProblem[] = [];
  let current: OfeliaSection | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at = { line: i + 1, col: 1 };
    let line = (lines[i] as string).trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const section = SECTION.exec(line);
    if (section) {
      const name = section[2] === undefined ? "" : section[2].replace(/\\(.)/g, "$1");
      current = { type: (section[1] as string).toLowerCase(), name, at, params: new Map() };
      sections.push(current);
      continue;
    }
    // A value ending in an unescaped backslash goes on past the line's end.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = `${line.slice(0, -1)}${lines[++i] as string}`;
    }
    const setting = SETTING.exec(line);
    if (!setting || !current) {
      const message = current
        ? `not a setting: expected key = value`
        : 'a setting before any section: expected [job-run "name"] first';
      problems.push({ at, message });
      continue;
    }
    const key = (setting[1] as string).toLowerCase();
    const value = setting[2] === undefined ? "true" : iniValue(setting[2]);
    if (value === undefined) {
      problems.push({ at, message: `the value of ${key} has an unterminated quote` });
      continue;
    }
    const param = current.params.get(key) ?? { values: [], at };
    param.values.push(value);
    current.params.set(key, param);
  }
  return { sections, problems };
}

/** gcfg's value: quotes grouped, escapes read, an unquoted `;` or `#` starts a comment, and
 * unquoted space at either end trimmed. */
function iniValue(raw: string): string | undefined {
  let value = "";
  let quoted = false;
  /** Length of `value` up to its last character that is quoted or not a space. */
  let kept = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === "\\" && i + 1 < raw.length) {
      const next = raw[++i] as string;
      value += { n: "\n", t: "\t", b: "\b" }[next] ?? next;
      kept = value.length;
    } else if (ch === '"') {
      quoted = !quoted;
      kept = value.length;
    } else if (!quoted && (ch === ";" || ch === "#")) {
      break;
    } else if (!quoted && /\s/.test(ch) && value.length === 0) {
      // leading space
    } else {
      value += ch;
      if (quoted || !/\s/.test(ch)) kept = value.length;
    }
  }
  return quoted ? undefined : value.slice(0, kept);
}
