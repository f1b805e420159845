// The folders of src/ as a graph of their imports, and the cycles in it: each top-level folder
// (or a file at the root of src/) is a node; an import from one to another is an edge.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** Every .ts file under `root`, with its text. */
export function sourceFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
        files.set(path, readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return files;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The node a file belongs to: `scheduler/` for src/scheduler/x.ts, `settings` for src/settings.ts. */
const nodeOf = (root: string, file: string) => {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : (parts[0] ?? "").replace(/\.ts$/, "");
};

/** Edges between nodes, each with the first file that makes it. */
export function importEdges(root: string, files: ReadonlyMap<string, string>): Map<string, string> {
  const edges = new Map<string, string>();
  for (const [file, text] of files) {
    const from = nodeOf(root, file);
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? "";
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      if (!target.startsWith(root)) continue;
      const to = nodeOf(root, target);
      if (to !== from && !edges.has(`${from} -> ${to}`))
        edges.set(`${from} -> ${to}`, relative(root, file));
    }
  }
  return edges;
}

/** The cycles (strongly connected sets of more than one node), each sorted, with the imports
 * that close it: what a reader must untangle. */
export function cycles(edges: ReadonlyMap<string, string>): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges.keys()) {
    const [from = "", to = ""] = edge.split(" -> ");
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) {
      const set = new Set(component);
      const closing = [...edges]
        .filter(([edge]) => edge.split(" -> ").every((n) => set.has(n)))
        .map(([edge, file]) => `${edge} (${file})`);
      found.push([...component.sort(), ...closing]);
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}
