// Collects the findings of one file, each placed on the key or value at fault.

import type { Issue, Severity } from "./issues.js";
import type { PathSegment, Position, SourceMap, Target } from "./positions.js";

export interface Finding {
  rule: string;
  message: string;
  hint?: string;
}

export interface Findings {
  readonly issues: Issue[];
  /** A finding on the key or value at `path` (the mapping's line when it is missing). */
  add(severity: Severity, path: readonly PathSegment[], target: Target, finding: Finding): void;
  /** A finding at a known position (YAML syntax errors, the whole file). */
  addAt(severity: Severity, position: Position, finding: Finding): void;
}

/** The longest piece of a file's content a message quotes (SPEC §4): a message about a value
 * must not carry the value off to a log or a branch when the value is what was stolen. */
export const EXCERPT_MAX = 40;

export const cut = (text: string) =>
  text.length > EXCERPT_MAX ? `${text.slice(0, EXCERPT_MAX - 1)}…` : text;

/** A message as it may leave: every quoted value cut to EXCERPT_MAX characters, control
 * characters written as escapes, so a value cannot start a line of its own. */
export function safeMessage(message: string): string {
  return message
    .replace(/"((?:[^"\\]|\\.)*)"/g, (whole, inner: string) =>
      inner.length > EXCERPT_MAX ? `"${cut(inner)}"` : whole,
    )
    .replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1));
}

export function createFindings(file: string, map?: SourceMap): Findings {
  const issues: Issue[] = [];
  const addAt = (severity: Severity, { line, col }: Position, f: Finding) => {
    const message = safeMessage(f.message);
    const issue: Issue = { file, line, col, severity, rule: f.rule, message };
    if (f.hint) issue.hint = safeMessage(f.hint);
    issues.push(issue);
  };
  return {
    issues,
    addAt,
    add: (severity, path, target, finding) =>
      addAt(severity, map ? map.at(path, target) : { line: 1, col: 1 }, finding),
  };
}

/** `["volumes", 0, "path"]` → `volumes[0].path`, how a reader names a field (keys come from
 * the file, so each is cut like any excerpt). */
export const fieldLabel = (path: readonly PathSegment[]): string =>
  path.reduce<string>(
    (label, s) =>
      typeof s === "number" || /^\d+$/.test(s)
        ? `${label}[${s}]`
        : label
          ? `${label}.${cut(s)}`
          : cut(s),
    "",
  );
