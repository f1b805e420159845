// A job on its way from another tool's format to a gitcron job file: the fields it maps to, and
// a comment for every setting that has none, rendered with the `yaml` Document API so each
// comment sits above the field it is about (or at the top of the file).

import { Document, isMap, isPair, isScalar, isSeq, type Pair, type YAMLMap } from "yaml";
import type { Finding } from "../jobs/findings.js";
import type { Issue } from "../jobs/issues.js";
import type { Position } from "../jobs/positions.js";

export interface DraftSource {
  file: string;
  /** Where the job starts in its file: the crontab line, the INI section, the manifest. */
  at: Position;
  /** How the source names the job, for messages: `[job-run "backup"]`, `CronJob hello`. */
  what: string;
}

export interface Draft {
  /** The job's name as the source gives it; made a DNS label and unique on output. */
  name: string;
  source: DraftSource;
  /** Job fields in the order they are written. */
  fields: Record<string, unknown>;
  /** Lines above the first field: where the job came from. */
  header: string[];
  /** Settings of the source with no equivalent, each said once at the top. */
  notes: string[];
  /** Comments above a field (`["env", "API_KEY"]`). */
  comments: { path: string[]; text: string }[];
}

export const newDraft = (name: string, source: DraftSource, header: string[]): Draft => ({
  name,
  source,
  fields: {},
  header,
  notes: [],
  comments: [],
});

/** A comment above `path`'s key; an absent field's comment goes to the top of the file. */
export function commentOn(draft: Draft, path: string[], text: string): void {
  draft.comments.push({ path, text });
}

export function note(draft: Draft, text: string): void {
  draft.notes.push(text);
}

/** The job file's text. */
export function renderDraft(draft: Draft): string {
  const doc = new Document(draft.fields);
  const top = [...draft.header];
  if (draft.notes.length > 0) {
    top.push("", "Settings with no gitcron equivalent, and what to do:");
    for (const text of draft.notes) top.push(...bullet(text));
  }
  for (const { path, text } of draft.comments) {
    const pair = pairAt(doc.contents, path);
    if (!pair) {
      top.push(...bullet(`${path.join(".")}: ${text}`));
      continue;
    }
    const key = pair.key as { commentBefore?: string | null };
    const lines = wrap(text).map((l) => ` ${l}`);
    key.commentBefore = key.commentBefore
      ? `${key.commentBefore}\n${lines.join("\n")}`
      : lines.join("\n");
  }
  doc.commentBefore = top.map((l) => (l ? ` ${l}` : "")).join("\n");
  style(doc.contents);
  return doc.toString({ lineWidth: 0 });
}

function pairAt(node: unknown, path: readonly string[]): Pair | undefined {
  let current = node;
  let found: Pair | undefined;
  for (const segment of path) {
    if (!isMap(current)) return undefined;
    found = (current as YAMLMap).items.find(
      (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment,
    ) as Pair | undefined;
    if (!found) return undefined;
    current = found.value;
  }
  return found;
}

/** As the SPEC writes them: a schedule and a user quoted (`*` starts an alias, `1000:1000` reads
 * as a number in YAML 1.1), `{ fromEnv: … }`, `resources`, `retries` and a short `entrypoint` on
 * one line. */
function style(contents: unknown): void {
  if (!isMap(contents)) return;
  for (const pair of contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value;
    if ((key === "schedule" || key === "user") && isScalar(value)) value.type = "QUOTE_DOUBLE";
    if ((key === "resources" || key === "retries") && isMap(value)) value.flow = true;
    if (key === "entrypoint" && isSeq(value))
      value.flow = value.items.every((i) => isScalar(i) && /^[\w./-]+$/.test(String(i.value)));
    if (key === "env" && isMap(value)) {
      for (const item of value.items) if (isMap(item.value)) item.value.flow = true;
    }
  }
}

const WIDTH = 96;

/** A long comment as lines of at most WIDTH characters, broken between words. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/ +/)) {
    if (line && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const bullet = (text: string): string[] =>
  wrap(text).map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`));

/** A DNS label from any name: lowercase, `-` for the rest, at most 63 characters. */
export function slug(text: string): string {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return label || "job";
}

/** Each draft's file name (`<slug>.yaml`), made unique in order: `echo`, `echo-2`, … */
export function uniqueNames(drafts: readonly Draft[]): string[] {
  const taken = new Set<string>();
  return drafts.map((draft) => {
    const base = slug(draft.name);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, 60 - String(n).length)}-${n}`;
    taken.add(name);
    return name;
  });
}

/** What one input gives: its jobs, and what could not come over (errors) or was left aside. */
export interface Parsed {
  drafts: Draft[];
  issues: Issue[];
}

export const issueAt = (
  file: string,
  at: Position,
  severity: Issue["severity"],
  finding: Finding,
): Issue => ({ file, line: at.line, col: at.col, severity, ...finding });

/** The zone the source names, else the one given with --timezone, else a note saying in which
 * zone the source read its schedule. */
export function setZone(
  draft: Draft,
  zone: string | undefined,
  given: string | undefined,
  sourceRead: string,
): void {
  if (zone) draft.fields.timezone = zone;
  else if (given) {
    draft.fields.timezone = given;
    commentOn(draft, ["timezone"], `given with --timezone; ${sourceRead}`);
  } else {
    note(
      draft,
      `${sourceRead}; gitcron reads it in timezone:, else in the agent's --timezone (default UTC)`,
    );
  }
}
