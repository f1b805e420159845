// A position-free parse for the common job file. js-yaml builds the plain object about eight
// times faster than `yaml` builds its node tree, which validating thousands of files feels.
// parseJobFile keeps the quick answer only when the file has no finding at all; anything to
// report is parsed again with `yaml`, so every finding keeps its line and column.
//
// The two libraries read plain block YAML alike; they part ways on anchors and aliases (the
// alias cap lives on the `yaml` path), tags, directives, tabs, multi-line flow collections
// and quoted scalars, and a few number spellings. Any text that might use those goes to `yaml`.

import jsYaml from "js-yaml";

/** `&` anchor (no anchor, no alias), `!` tag, `<<` merge key, `%` directive, a tab, `0b101`,
 * `+.5`, and a comment glued to a closing quote (`"x"#c`). A false alarm only costs speed.
 * (`-0` stays negative zero here and becomes 0 in `yaml`; the two compare equal.) */
const NEEDS_FULL_PARSER = /[&!\t]|<<|^%|0b|\+\.|[^\s:[{,]["']#/m;

/** `yaml`'s limit on implicit keys is 1024 characters; shorter lines cannot reach it. */
const MAX_LINE = 1000;

/** The job as a plain object, or undefined when only the full parser may judge the text. */
export function quickParse(text: string): Record<string, unknown> | undefined {
  if (NEEDS_FULL_PARSER.test(text) || !linesCloseWhatTheyOpen(text)) return undefined;
  let data: unknown;
  try {
    // CORE_SCHEMA is `yaml`'s default too: no timestamps, no yes/no booleans.
    data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch {
    return undefined; // `yaml` words the error and places it
  }
  return data && typeof data === "object" && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : undefined;
}

/** The characters linesCloseWhatTheyOpen counts; the regex engine skips the rest faster than a
 * loop over every character could. */
const BRACKETS_QUOTES_NEWLINES = /[[\]{}"'\n]/g;

/** True when every line closes the brackets and quotes it opens: flow collections and quoted
 * scalars spread over lines are where js-yaml accepts indentation that `yaml` refuses. */
function linesCloseWhatTheyOpen(text: string): boolean {
  let open = 0;
  let doubleQuotes = 0;
  let singleQuotes = 0;
  let lineStart = 0;
  BRACKETS_QUOTES_NEWLINES.lastIndex = 0;
  for (;;) {
    const match = BRACKETS_QUOTES_NEWLINES.exec(text);
    const at = match ? match.index : text.length;
    const ch = match ? text.charCodeAt(at) : 10; // the end closes the last line
    if (ch === 10) {
      if (open !== 0 || doubleQuotes % 2 !== 0 || singleQuotes % 2 !== 0) return false;
      if (at - lineStart > MAX_LINE) return false;
      if (!match) return true;
      open = 0;
      doubleQuotes = 0;
      singleQuotes = 0;
      lineStart = at + 1;
    } else if (ch === 91 || ch === 123) {
      open++; // [ {
    } else if (ch === 93 || ch === 125) {
      if (--open < 0) return false; // ] } before its opener
    } else if (ch === 34) {
      doubleQuotes++;
    } else {
      singleQuotes++;
    }
  }
}
