// Ofelia's container labels (`ofelia.job-run.<name>.<param>`) wherever people keep them: a
// Compose file's `labels:` (a mapping or a list of key=value), `docker inspect`'s JSON
// (`Config.Labels`), or a plain mapping of labels. Each job becomes one OfeliaSection.

import { isRecord } from "../core/shape.js";
import type { PathSegment, Position } from "../jobs/positions.js";
import type { OfeliaSection } from "./ofelia.js";

type Raw = Record<string, unknown>;

interface Label {
  key: string;
  value: string;
  at: Position;
}

/** The labels of every container in the document, each with where it is. */
export function findLabels(value: unknown, at: (path: PathSegment[]) => Position): Label[] {
  const found: Label[] = [];
  const collect = (labels: unknown, path: PathSegment[]) => {
    if (isRecord(labels)) {
      for (const [key, v] of Object.entries(labels))
        found.push({ key, value: String(v ?? ""), at: at([...path, key]) });
    } else if (Array.isArray(labels)) {
      labels.forEach((item, i) => {
        const text = String(item);
        const eq = text.indexOf("=");
        const key = eq < 0 ? text : text.slice(0, eq);
        found.push({ key, value: eq < 0 ? "" : text.slice(eq + 1), at: at([...path, i]) });
      });
    }
  };
  if (Array.isArray(value)) {
    value.forEach((container, i) => {
      if (isRecord(container))
        collect((container.Config as Raw | undefined)?.Labels, [i, "Config", "Labels"]);
    });
  } else if (isRecord(value) && isRecord(value.services)) {
    for (const [name, service] of Object.entries(value.services))
      if (isRecord(service)) collect(service.labels, ["services", name, "labels"]);
  } else if (isRecord(value) && isRecord(value.Config)) {
    collect(value.Config.Labels, ["Config", "Labels"]);
  } else if (isRecord(value)) {
    collect(value, []);
  }
  return found.filter((l) => l.key.startsWith("ofelia."));
}

/** `ofelia.<type>.<name>.<param>` grouped into one section per job; `ofelia.<setting>` into
 * the global section. A job's name may hold dots: the type is the second part, the parameter
 * the last. */
export function labelSections(labels: readonly Label[]): OfeliaSection[] {
  const sections = new Map<string, OfeliaSection>();
  const section = (type: string, name: string, at: Position) => {
    const id = `${type}\u0000${name}`;
    const existing = sections.get(id);
    if (existing) return existing;
    const created: OfeliaSection = { type, name, at, params: new Map() };
    sections.set(id, created);
    return created;
  };
  for (const { key, value, at } of labels) {
    const parts = key.split(".");
    if (parts.length === 2) {
      if (parts[1] !== "enabled") add(section("global", "", at), parts[1] as string, value, at);
      continue;
    }
    if (parts.length < 4) continue;
    const type = (parts[1] as string).toLowerCase();
    const name = parts.slice(2, -1).join(".");
    add(section(type, name, at), (parts[parts.length - 1] as string).toLowerCase(), value, at);
  }
  return [...sections.values()];
}

function add(section: OfeliaSection, key: string, value: string, at: Position): void {
  const param = section.params.get(key) ?? { values: [], at };
  param.values.push(value);
  section.params.set(key, param);
}
