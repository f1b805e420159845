// One job file's text → its JobSpec and its findings, each at a line and column.
// Pure: no I/O beyond the schema file read once per process.

import { type Document, LineCounter, parseAllDocuments, type YAMLError } from "yaml";
import { isRecord } from "../core/shape.js";
import { duplicateKeys } from "./duplicate-keys.js";
import { createFindings, type Finding, type Findings } from "./findings.js";
import type { Issue } from "./issues.js";
import { normalizeJob } from "./normalize.js";
import { pastedDocument } from "./pasted.js";
import type { Policy } from "./policy.js";
import { checkPolicy } from "./policy-rules.js";
import { type Position, sourceMap } from "./positions.js";
import { quickParse } from "./quick-parse.js";
import { checkRules, jobName } from "./rules.js";
import { createScheduleChecks, type ScheduleChecks } from "./schedule-checks.js";
import { checkSchema } from "./schema.js";
import type { JobSpec } from "./spec.js";
import { yamlFinding } from "./yaml-problems.js";

/** A job file is a few hundred bytes; a cap keeps a hostile pull request from eating memory. */
export const DEFAULT_MAX_BYTES = 256 * 1024;
/** Anchors are handy for sharing env blocks; a cap stops "billion laughs" expansion. */
export const MAX_ALIAS_COUNT = 100;

export interface ParseOptions {
  policy: Policy;
  /** The zone of jobs that name none (the agent's --timezone). */
  defaultTimezone: string;
  maxBytes?: number;
  /** Recorded as JobSpec.file; default: `file`. */
  specFile?: string;
  /** Share one across the files of a tree (loadJobTree does) to check each schedule once. */
  schedules?: ScheduleChecks;
}

export interface ParseResult {
  /** Present when the file has no errors (warnings allowed). */
  spec?: JobSpec;
  issues: Issue[];
  /** Where the job's name comes from: the `name` value, or 1:1 for the file name. */
  namePosition?: Position;
}

/** The finding for a file over the size cap, wherever the size is found out. */
export const tooLarge = (maxBytes: number): Finding => ({
  rule: "file.size",
  message: `file is larger than ${maxBytes} bytes`,
  hint: "a job file describes one job; move data into the image or a volume",
});

const START: Position = { line: 1, col: 1 };

export function parseJobFile(text: string, file: string, options: ParseOptions): ParseResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) {
    const findings = createFindings(file);
    findings.addAt("error", START, tooLarge(maxBytes));
    return { issues: findings.issues };
  }

  const quick = quickParse(text);
  if (quick) {
    // Positions are needed only for findings: with none, the quick parse is the answer.
    const findings = createFindings(file);
    if (judge(quick, file, options, findings) && findings.issues.length === 0) {
      return {
        spec: specOf(quick, file, options),
        issues: [],
        // Only a duplicate name needs it (rare), so the full parse waits until then.
        get namePosition() {
          return parseFully(text, file, options).namePosition;
        },
      };
    }
  }
  return parseFully(text, file, options);
}

/** Parses with `yaml`, which knows where every node is, and judges the job. */
function parseFully(text: string, file: string, options: ParseOptions): ParseResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    // Checked in one pass by duplicateKeys: the parser's own check is quadratic.
    uniqueKeys: false,
    // `<<: *shared` is how compose files share blocks; people will expect it here too.
    merge: true,
  });
  const doc = docs[0];
  const syntax = createFindings(file);
  if (!doc || doc.contents === null) {
    syntax.addAt("error", START, {
      rule: "yaml.empty",
      message: "file has no job in it",
      hint: "a job needs at least schedule: and image:",
    });
    return { issues: syntax.issues };
  }
  const second = docs[1];
  if (second) {
    syntax.addAt("error", lineCounter.linePos(second.range[0]), {
      rule: "yaml.documents",
      message: "file holds more than one YAML document",
      hint: "put each job in a file of its own",
    });
  }
  reportYamlProblems(doc, text, lineCounter, syntax);
  if (syntax.issues.some((i) => i.severity === "error")) return { issues: syntax.issues };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    syntax.addAt("error", START, {
      rule: "yaml.aliases",
      message: `aliases expand too far: ${(err as Error).message}`,
      hint: `use fewer aliases (at most ${MAX_ALIAS_COUNT} expansions)`,
    });
    return { issues: syntax.issues };
  }

  const map = sourceMap(doc, lineCounter);
  const findings = createFindings(file, map);
  findings.issues.push(...syntax.issues);
  if (!judge(data, file, options, findings)) return { issues: findings.issues };

  const namePosition = typeof data.name === "string" ? map.at(["name"]) : START;
  if (findings.issues.some((i) => i.severity === "error"))
    return { issues: findings.issues, namePosition };
  return { spec: specOf(data, file, options), issues: findings.issues, namePosition };
}

/** Schema, rules and policy; false when `data` is not a mapping (the schema said so). */
function judge(
  data: unknown,
  file: string,
  options: ParseOptions,
  findings: Findings,
): data is Record<string, unknown> {
  // Another tool's whole document (a Kubernetes manifest, a Compose file) is one finding that
  // says what to write, not a schema error for each of its keys.
  const pasted = isRecord(data) ? pastedDocument(data) : undefined;
  if (pasted) {
    findings.add("error", pasted.path, "value", pasted.finding);
    return false;
  }
  checkSchema(data, findings);
  if (!isRecord(data)) return false;
  const schedules = options.schedules ?? createScheduleChecks();
  checkRules(data, { file, defaultTimezone: options.defaultTimezone, schedules }, findings);
  checkPolicy(data, jobName(data, file), options.policy, findings);
  return true;
}

/** The spec, with its strings copied: a value the parser cut out of the text may be a slice that
 * keeps the whole file alive (V8 shares the characters), and specs live as long as the agent.
 * 4,000 files of 250 KB held 1 GB through the few values their specs kept. */
const specOf = (data: Record<string, unknown>, file: string, options: ParseOptions): JobSpec =>
  ownStrings(
    normalizeJob(data, {
      name: jobName(data, file),
      file: options.specFile ?? file,
      defaultTimezone: options.defaultTimezone,
    }),
  );

/** V8 slices only strings of 13 characters or more. Prepending a character makes a new string,
 * which slice() flattens into characters of its own. `gitcron validate` of 10,000 files took
 * 1.45 s with a structuredClone of each spec, 1.25 s with this, 1.20 s with no copy. */
const SLICED_FROM = 13;

function ownStrings<T>(value: T): T {
  if (typeof value === "string")
    return (value.length >= SLICED_FROM ? ` ${value}`.slice(1) : value) as T;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = ownStrings(value[i]);
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = ownStrings(record[key]);
  }
  return value;
}

/** YAML errors and warnings, one per line: a broken line tends to produce several. */
function reportYamlProblems(
  doc: Document.Parsed,
  text: string,
  lineCounter: LineCounter,
  findings: Findings,
): void {
  const seenLines = new Set<number>();
  const report = (problem: YAMLError, severity: "error" | "warning") => {
    // One per line where the parser noticed it, wherever the finding then points.
    const noticed = lineCounter.linePos(problem.pos[0]).line;
    if (seenLines.has(noticed)) return;
    seenLines.add(noticed);
    // Past the listed ones only the count matters: no need to word it.
    if (findings.full) return findings.leaveOut(severity);
    const { at, finding } = yamlFinding(problem, text, lineCounter);
    findings.addAt(severity, at, finding);
  };
  for (const error of doc.errors) report(error, "error");
  for (const warning of doc.warnings) report(warning, "warning");
  for (const { at, finding } of duplicateKeys(doc, lineCounter)) {
    if (seenLines.has(at.line)) continue;
    seenLines.add(at.line);
    findings.addAt("error", at, finding);
  }
}
