// Every import between the folders of src/ runs one way: no folder reaches, through others,
// back to itself (issue 29). A cycle fails the test naming the imports that close it.

import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cycles, importEdges, sourceFiles } from "./import-graph.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

describe("the import graph of src/", () => {
  it("has no cycle between folders", () => {
    const edges = importEdges(SRC, sourceFiles(SRC));
    expect(edges.size).toBeGreaterThan(30);
    expect(cycles(edges)).toEqual([]);
  });
});

describe("the files of src/", () => {
  it("are at most 400 lines, or say in their header why they are one file", () => {
    const long = [...sourceFiles(SRC)]
      .filter(([, text]) => text.split("\n").length > 400)
      .filter(([, text]) => !/^\/\/ Why one file/m.test(text.slice(0, text.indexOf("\nimport"))))
      .map(([file]) => file.slice(SRC.length + 1));
    expect(long).toEqual([]);
  });
});

describe("the cycle finder", () => {
  const root = "/p/src";
  const graph = (files: Record<string, string>) =>
    importEdges(root, new Map(Object.entries(files).map(([f, t]) => [`${root}/${f}`, t])));

  it("finds a cycle through three folders, with the imports that close it", () => {
    const edges = graph({
      "a/x.ts": 'import { y } from "../b/y.js";',
      "b/y.ts": 'import type { Z } from "../c/z.js";\nexport const y = 1;',
      "c/z.ts": 'export { x } from "../a/x.js";',
      "d/w.ts": 'import { x } from "../a/x.js";',
    });
    expect(cycles(edges)).toEqual([
      ["a/", "b/", "c/", "a/ -> b/ (a/x.ts)", "b/ -> c/ (b/y.ts)", "c/ -> a/ (c/z.ts)"],
    ]);
  });

  it("counts a file at the root of src/ as a node, and ignores packages and imports within a folder", () => {
    const edges = graph({
      "settings.ts": 'import { p } from "./jobs/p.js";\nimport { z } from "zod";',
      "jobs/p.ts": 'import { q } from "./q.js";\nconst m = await import("../settings.js");',
      "jobs/q.ts": "export const q = 1;",
    });
    expect([...edges.keys()]).toEqual(["settings -> jobs/", "jobs/ -> settings"]);
    expect(cycles(edges)).toEqual([
      ["jobs/", "settings", "settings -> jobs/ (settings.ts)", "jobs/ -> settings (jobs/p.ts)"],
    ]);
  });
});
