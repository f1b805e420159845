// Applies a batch to the files of the status branch checked out in a folder: jobs/<name>/
// runs.jsonl (deduplicated, newest last, trimmed), jobs/<name>/last.json, state.json and
// README.md. Idempotent: applying the same batch twice changes nothing.

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log.js";
import type { Redactor } from "../secrets/redactor.js";
import { parseRuns, readLastRuns } from "./last-runs.js";
import { recordKey, summaryTime } from "./outbox.js";
import { renderReadme } from "./render.js";
import { isStatusState, type StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";

export interface ApplyInput {
  root: string;
  summaries: readonly RunSummary[];
  state: StatusState | null;
  history: number;
  branch: string;
  logger: Logger;
  /** Every file written passes through it (SPEC §4: the one redactor on every path out). */
  redactor: Redactor;
}

/** A job's folder; names are DNS labels already, this only keeps a bad one inside jobs/. */
export const jobFolder = (job: string): string => join("jobs", job.replace(/[^A-Za-z0-9_-]/g, "_"));

/** Stable, by finish (or due) time: the newest ends up last. */
const byTime = (a: RunSummary, b: RunSummary) =>
  Date.parse(summaryTime(a)) - Date.parse(summaryTime(b));

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** Returns the indexes of the input summaries that were new to the branch. */
export async function applyToTree(input: ApplyInput): Promise<{ appended: Set<number> }> {
  const { root, logger } = input;
  const appended = new Set<number>();
  const byJob = new Map<string, number[]>();
  input.summaries.forEach((s, i) => {
    byJob.set(s.job, [...(byJob.get(s.job) ?? []), i]);
  });

  for (const [job, indexes] of byJob) {
    const folder = join(root, jobFolder(job));
    const runsFile = join(folder, "runs.jsonl");
    const existing = parseRuns((await readText(runsFile)) ?? "", runsFile, logger);
    const seen = new Set(existing.map(recordKey));
    const runs = [...existing];
    for (const i of indexes) {
      const summary = input.summaries[i] as RunSummary;
      const key = recordKey(summary);
      if (seen.has(key)) continue;
      seen.add(key);
      runs.push(input.redactor.value(summary));
      appended.add(i);
    }
    const kept = runs.sort(byTime).slice(-Math.max(1, input.history));
    await mkdir(folder, { recursive: true });
    await writeFile(runsFile, `${kept.map((r) => JSON.stringify(r)).join("\n")}\n`);
    await writeFile(join(folder, "last.json"), `${JSON.stringify(kept.at(-1), null, 2)}\n`);
  }

  const stateFile = join(root, "state.json");
  let state = input.state;
  if (state) {
    await writeFile(stateFile, `${JSON.stringify(input.redactor.value(state), null, 2)}\n`);
  } else {
    const text = await readText(stateFile);
    try {
      const value: unknown = text === null ? null : JSON.parse(text);
      state = isStatusState(value) ? value : null;
    } catch {
      state = null;
    }
  }

  const folders = await readdir(join(root, "jobs")).catch(() => [] as string[]);
  const runs = await readLastRuns(folders.sort(), (paths) => readFromDisk(root, paths), logger);
  const readme = input.redactor.redact(renderReadme({ state, runs, branch: input.branch }));
  await writeFile(join(root, "README.md"), readme);
  return { appended };
}

async function readFromDisk(root: string, paths: readonly string[]) {
  const found = new Map<string, string>();
  for (const path of paths) {
    const text = await readText(join(root, path));
    if (text !== null) found.set(path, text);
  }
  return found;
}
