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

export function createFindings(file: string, map?: SourceMap): Findings {
  const issues: Issue[] = [];
  const addAt = (severity: Severity, { line, col }: Position, f: Finding) => {
    const issue: Issue = { file, line, col, severity, rule: f.rule, message: f.message };
    if (f.hint) issue.hint = f.hint;
    issues.push(issue);
  };
  return {
    issues,
    addAt,
    add: (severity, path, target, finding) =>
      addAt(severity, map ? map.at(path, target) : { line: 1, col: 1 }, finding),
  };
}

/** `["volumes", 0, "path"]` → `volumes[0].path`, how a reader names a field. */
export const fieldLabel = (path: readonly PathSegment[]): string =>
  path.reduce<string>(
    (label, s) =>
      typeof s === "number" || /^\d+$/.test(s) ? `${label}[${s}]` : label ? `${label}.${s}` : s,
    "",
  );
