// Maps a path inside the parsed job (JSON-pointer segments) back to the line and
// column of its key or value in the YAML text, so every finding points at the source.

import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
} from "yaml";

export interface Position {
  line: number;
  col: number;
}

export type PathSegment = string | number;

/** What to point at: the key of the last segment (`timeout:`) or its value. */
export type Target = "key" | "value";

export interface SourceMap {
  /** Position of a path's key or value; the nearest existing ancestor when the path is absent. */
  at(path: readonly PathSegment[], target?: Target): Position;
  /** Position of an offset in the text. */
  offset(offset: number): Position;
}

export function sourceMap(doc: Document.Parsed, lineCounter: LineCounter): SourceMap {
  const offset = (at: number): Position => lineCounter.linePos(at);
  const start = (node: Node | null | undefined): number | undefined => node?.range?.[0];

  const at = (path: readonly PathSegment[], target: Target = "value"): Position => {
    let node: unknown = doc.contents;
    let found = start(doc.contents as Node) ?? 0;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isAlias(node)) node = node.resolve(doc);
      const pair = isMap(node)
        ? node.items.find(
            (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
          )
        : undefined;
      if (pair) {
        const keyAt = start(pair.key as Node);
        const valueAt = start(pair.value as Node);
        found = target === "key" && last ? (keyAt ?? found) : (valueAt ?? keyAt ?? found);
        node = pair.value;
        continue;
      }
      const item = isSeq(node) ? node.items[Number(segment)] : undefined;
      if (item === undefined) break;
      found = start(item as Node) ?? found;
      node = item;
    }
    return offset(found);
  };

  return { at, offset };
}

/** `/env/API~1KEY` → `["env", "API/KEY"]`. */
export const pointerSegments = (pointer: string): string[] =>
  pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
