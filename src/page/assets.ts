// The status page's stylesheet and script, read from src/page/static (the same relative path
// from src/page and dist/page). scripts/bundle.mjs replaces this module with the files inlined,
// so a bundle needs no files beside it.

import { readFileSync } from "node:fs";

export type AssetName = "page.css" | "page.js";

export const readAsset = (name: AssetName): string =>
  readFileSync(new URL(`../../src/page/static/${name}`, import.meta.url), "utf8");
