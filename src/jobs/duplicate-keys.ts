// Keys written twice in one mapping, found in one pass over the parsed document. The YAML
// parser's own check (`uniqueKeys`) compares each key with every earlier one: a file of 28,000
// keys took it minutes on the agent's only thread.

import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import { cut, type Finding } from "./findings.js";
import type { Position } from "./positions.js";

/** Each key that repeats one before it in the same mapping, at the repetition. */
export function* duplicateKeys(
  doc: Document.Parsed,
  lineCounter: LineCounter,
): Generator<{ at: Position; finding: Finding }> {
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isSeq(node)) pending.push(...node.items);
    if (!isMap(node)) continue;
    const firstAt = new Map<string, number>();
    for (const pair of node.items) {
      pending.push(pair.value);
      const key = pair.key;
      // `<<` merges another mapping in; anything but a plain key is not compared.
      if (!isScalar(key) || key.value === "<<") continue;
      const name = String(key.value);
      const offset = (key as Node).range?.[0] ?? 0;
      const first = firstAt.get(name);
      if (first === undefined) {
        firstAt.set(name, offset);
        continue;
      }
      const at = lineCounter.linePos(offset);
      yield {
        at,
        finding: {
          rule: "yaml.duplicate-key",
          message: `key "${cut(name)}" appears twice: on line ${lineCounter.linePos(first).line} and on line ${at.line}`,
          hint: "keep one of them: YAML would otherwise use only one, without a word",
        },
      };
    }
  }
}
