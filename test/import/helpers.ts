// Runs the converters on a fixture as the CLI does, and reads the job files back.

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { finishDrafts, type ImportOptions, readInput } from "../../src/import/convert.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { sortIssues } from "../../src/jobs/render.js";

export const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), "utf8");

export function importText(text: string, file: string, options: ImportOptions = {}) {
  const parsed = readInput(text, file, options);
  const { jobs, issues } = finishDrafts(parsed.drafts, defaultPolicy());
  return {
    jobs: jobs.map((j) => ({ ...j, data: parse(j.text) as Record<string, unknown> })),
    issues: sortIssues([...parsed.issues, ...issues]),
  };
}

export const importFixture = (name: string, options: ImportOptions = {}) =>
  importText(fixture(name), name, options);

/** The comment lines of a job file, without their `#`. */
export const comments = (text: string): string =>
  text
    .split("\n")
    .filter((l) => l.trimStart().startsWith("#"))
    .map((l) => l.trimStart().replace(/^# ?/, ""))
    .join("\n");
