// The published JSON Schema's text, read from schema/job.schema.json at the package root
// (the same relative path from src/ and dist/). scripts/bundle.mjs replaces this module with
// the text inlined, so a bundle needs no files beside it.

import { readFileSync } from "node:fs";

export const readSchemaText = (): string =>
  readFileSync(new URL("../../schema/job.schema.json", import.meta.url), "utf8");
