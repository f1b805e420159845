// The YAML parser's errors in words a job file's author can act on: which key, which line, and
// what to write instead. The parser's own message is kept where it already says that.

import type { LineCounter, YAMLError } from "yaml";
import { cut, type Finding } from "./findings.js";
import type { Position } from "./positions.js";

const ALIAS_HINT =
  'a value starting with * is read as a YAML alias; quote it, e.g. schedule: "*/15 * * * *"';

/** A parser problem as a finding, at the place the author has to change. */
export function yamlFinding(
  problem: YAMLError,
  text: string,
  lineCounter: LineCounter,
): { at: Position; finding: Finding } {
  const offset = problem.pos[0];
  const at = lineCounter.linePos(offset);
  const rule = `yaml.${problem.code.toLowerCase().replace(/_/g, "-")}`;
  switch (problem.code) {
    case "TAB_AS_INDENT":
      return {
        at,
        finding: {
          rule,
          message: "a tab indents this line; YAML allows only spaces for indentation",
          hint: "indent with spaces (two per level is usual)",
        },
      };
    case "BLOCK_AS_IMPLICIT_KEY": {
      // The value holds ": " (on this line, or on a line it continues to): the colon is where
      // the author must quote, not where the parser noticed.
      const colon = text.slice(offset + 1).search(/:(\s|$)/);
      const place = colon >= 0 ? lineCounter.linePos(offset + 1 + colon) : at;
      return {
        at: place,
        finding: {
          rule,
          message: 'a plain value holds ": " (a colon and a space), which YAML reads as a key',
          hint: 'quote the whole value, e.g. command: "echo a: b", or write it as a list',
        },
      };
    }
    default:
      return {
        at,
        finding: {
          rule,
          // The parser's own words may end in a piece of the file: cut like any excerpt.
          message: problem.message.replace(/: (.{41,})$/s, (_, tail: string) => `: ${cut(tail)}`),
          ...(/alias/i.test(problem.message) ? { hint: ALIAS_HINT } : {}),
        },
      };
  }
}
