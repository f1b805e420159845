// Another tool's file → gitcron job files: which format it is, its drafts, and each draft
// rendered and judged by the same parser `gitcron validate` uses. Pure: the CLI reads and writes.

import { LineCounter, parseAllDocuments } from "yaml";
import { UsageError } from "../errors.js";
import type { Issue } from "../jobs/issues.js";
import { parseJobFile } from "../jobs/parse.js";
import type { Policy } from "../jobs/policy.js";
import { sourceMap } from "../jobs/positions.js";
import { parseCrontab } from "./crontab.js";
import {
  commentOn,
  type Draft,
  type DraftSource,
  issueAt,
  type Parsed,
  renderDraft,
  uniqueNames,
} from "./draft.js";
import { kubernetesDrafts, type Manifest } from "./kubernetes.js";
import { ofeliaDrafts } from "./ofelia.js";
import { parseOfeliaIni } from "./ofelia-ini.js";
import { findLabels, labelSections } from "./ofelia-labels.js";

export type ImportFormat = "crontab" | "ofelia" | "kubernetes";
export const IMPORT_FORMATS: readonly ImportFormat[] = ["crontab", "ofelia", "kubernetes"];

export interface ImportOptions {
  /** The image a crontab's commands run in. */
  image?: string;
  /** Written as `timezone:` where the source names no zone. */
  timezone?: string;
  /** Skip detection. */
  from?: ImportFormat;
}

export interface ImportedJob {
  /** The job's name, and its file's base name. */
  name: string;
  text: string;
  source: DraftSource;
}

const INI_SECTION = /^\s*\[\s*[A-Za-z][\w.-]*(\s+"[^"]*")?\s*\]\s*$/m;

/** One input's drafts, in the format given or the one it looks like. */
export function readInput(text: string, file: string, options: ImportOptions): Parsed {
  if (options.from === "crontab") return crontab(text, file, options);
  if (options.from !== "kubernetes" && INI_SECTION.test(text)) {
    const { sections, problems } = parseOfeliaIni(text);
    const parsed = ofeliaDrafts(sections, file, "INI", options);
    for (const p of problems)
      parsed.issues.push(issueAt(file, p.at, "error", { rule: "import.ini", message: p.message }));
    return parsed;
  }
  const yaml = readYaml(text);
  if (options.from === "kubernetes" || (!options.from && yaml?.some(isManifest)))
    return yaml ? kubernetesDrafts(yaml, file, options) : syntaxError(text, file);
  const labels = (yaml ?? []).flatMap(({ value, map }) => findLabels(value, map.at));
  if (options.from === "ofelia" || labels.length > 0) {
    if (!yaml) return syntaxError(text, file);
    return ofeliaDrafts(labelSections(labels), file, "labels", options);
  }
  return crontab(text, file, options);
}

function crontab(text: string, file: string, options: ImportOptions): Parsed {
  if (!options.image) {
    throw new UsageError(
      `${file} is a crontab, which names no image: give --image IMAGE, the image its commands run in`,
    );
  }
  return parseCrontab(text, file, { ...options, image: options.image });
}

const isManifest = ({ value }: Manifest): boolean =>
  !!value && typeof value === "object" && "apiVersion" in value && "kind" in value;

/** The documents of a YAML (or JSON) text, or undefined when it is not YAML. */
function readYaml(text: string): Manifest[] | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  return docs
    .filter((d) => d.contents !== null)
    .map((doc) => ({ value: doc.toJS({ maxAliasCount: 100 }), map: sourceMap(doc, lineCounter) }));
}

function syntaxError(text: string, file: string): Parsed {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const error = (Array.isArray(docs) ? docs : []).flatMap((d) => d.errors)[0];
  const at = lineCounter.linePos(error?.pos[0] ?? 0);
  const message = `not YAML: ${error?.message.split("\n")[0] ?? "unreadable"}`;
  return { drafts: [], issues: [issueAt(file, at, "error", { rule: "import.yaml", message })] };
}

/** Names the drafts, renders them and keeps those the job parser accepts under `policy`; a host
 * folder the job mounts is allowed for its check, since the source mounted it: a comment says
 * the agent must list it. */
export function finishDrafts(
  drafts: readonly Draft[],
  policy: Policy,
): { jobs: ImportedJob[]; issues: Issue[] } {
  const jobs: ImportedJob[] = [];
  const issues: Issue[] = [];
  const names = uniqueNames(drafts);
  drafts.forEach((draft, i) => {
    const name = names[i] as string;
    if (name !== draft.name)
      draft.header.push(`The job's name "${name}" is made from "${draft.name}".`);
    const hostPaths = hostFolders(draft);
    if (hostPaths.length > 0) {
      commentOn(
        draft,
        ["volumes"],
        `a host folder is mounted only if the agent is started with --allow-host-path ${hostPaths.join(",")}`,
      );
    }
    const text = renderDraft(draft);
    const judged = parseJobFile(text, `${name}.yaml`, {
      policy: { ...policy, allowHostPath: [...policy.allowHostPath, ...hostPaths] },
      defaultTimezone: "UTC",
    });
    const { file, at, what } = draft.source;
    for (const found of judged.issues) {
      issues.push(
        issueAt(file, at, found.severity, {
          rule: found.rule,
          message: `${what} → ${name}.yaml: ${found.message}`,
          ...(found.hint && { hint: found.hint }),
        }),
      );
    }
    if (judged.spec) jobs.push({ name, text, source: draft.source });
  });
  return { jobs, issues };
}

const hostFolders = (draft: Draft): string[] =>
  ((draft.fields.volumes as Record<string, unknown>[] | undefined) ?? [])
    .map((v) => v.hostPath)
    .filter((p): p is string => typeof p === "string");
