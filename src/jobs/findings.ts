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
  /** True once MAX_LISTED findings are listed: the rest are only counted. */
  readonly full: boolean;
  /** Counts a finding without wording it (once full, that is all a finding does). */
  leaveOut(severity: Severity): void;
}

/** Findings listed per file; beyond them one more says how many were left out. A hostile file
 * of 28,000 unknown keys must not make 28,000 messages (each placed by a search of its
 * mapping), nor a state.json and README of megabytes. */
export const MAX_LISTED = 20;

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
  let unlisted: { issue: Issue; errors: number; count: number } | null = null;
  const full = () => issues.length >= MAX_LISTED;
  /** Counted, not listed: one finding at the end says how many, an error if any was. */
  const leaveOut = (severity: Severity) => {
    if (!unlisted) {
      const issue: Issue = { file, line: 1, col: 1, severity, rule: "file.findings", message: "" };
      issue.hint = "fix the findings above first; this file holds far more than a job needs";
      unlisted = { issue, errors: 0, count: 0 };
      issues.push(issue);
    }
    unlisted.count++;
    if (severity === "error") {
      unlisted.errors++;
      unlisted.issue.severity = "error";
    }
    unlisted.issue.message = `${unlisted.count} more findings in this file are not listed (${unlisted.errors} of them errors)`;
  };
  const addAt = (severity: Severity, { line, col }: Position, f: Finding) => {
    if (full()) return leaveOut(severity);
    const message = safeMessage(f.message);
    const issue: Issue = { file, line, col, severity, rule: f.rule, message };
    if (f.hint) issue.hint = safeMessage(f.hint);
    issues.push(issue);
  };
  return {
    issues,
    addAt,
    leaveOut,
    get full() {
      return full();
    },
    add: (severity, path, target, finding) => {
      if (full()) return leaveOut(severity);
      addAt(severity, map ? map.at(path, target) : { line: 1, col: 1 }, finding);
    },
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
