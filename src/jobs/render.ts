// One list of findings, one renderer per output format: text for people, JSON for
// scripts, workflow commands for GitHub's pull-request annotations.

import path from "node:path";
import type { Issue } from "./issues.js";

export type IssueFormat = "text" | "json" | "github";
export const ISSUE_FORMATS: readonly IssueFormat[] = ["text", "json", "github"];

export interface Counts {
  files: number;
  errors: number;
  warnings: number;
}

export const countIssues = (issues: readonly Issue[], files: number): Counts => ({
  files,
  errors: issues.filter((i) => i.severity === "error").length,
  warnings: issues.filter((i) => i.severity === "warning").length,
});

/** Findings in reading order: by file, then line, then column. */
export const sortIssues = (issues: readonly Issue[]): Issue[] =>
  [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);

/** `path:line:col: error: message [rule]`, the hint indented on the next line. */
export function renderText(issues: readonly Issue[]): string {
  return issues
    .map((i) => {
      const head = `${i.file}:${i.line}:${i.col}: ${i.severity}: ${i.message} [${i.rule}]`;
      return i.hint ? `${head}\n    hint: ${i.hint}\n` : `${head}\n`;
    })
    .join("");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The last line of text output: `3 files, 1 error, 0 warnings`. */
export const renderSummary = (c: Counts): string =>
  `${plural(c.files, "file")}, ${plural(c.errors, "error")}, ${plural(c.warnings, "warning")}\n`;

export function renderJson(issues: readonly Issue[], counts: Counts): string {
  return `${JSON.stringify({ ok: counts.errors === 0, ...counts, issues }, null, 2)}\n`;
}

// GitHub workflow commands: data escapes %, CR and LF; property values also ':' and ','.
const escapeData = (s: string) =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** `::error file=…,line=…,col=…,title=…::message`, paths relative to `cwd` as Actions expects. */
export function renderGithub(issues: readonly Issue[], cwd: string): string {
  return issues
    .map((i) => {
      const file = path.relative(cwd, path.resolve(cwd, i.file)).split(path.sep).join("/");
      const props = `file=${escapeProperty(file)},line=${i.line},col=${i.col},title=${escapeProperty(`gitcron ${i.rule}`)}`;
      const message = i.hint ? `${i.message}\n${i.hint}` : i.message;
      return `::${i.severity} ${props}::${escapeData(message)}\n`;
    })
    .join("");
}
