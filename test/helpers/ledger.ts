// The status branch's journal as a test reads it: every record of every journal file at a
// revision, in the order the files and lines were written (not deduplicated, so a test sees a
// record written twice).

import type { RunSummary } from "../../src/status/summary.js";
import { git } from "./git.js";

/** The journal files at `rev`, oldest first. */
export async function journalFiles(repoDir: string, rev: string): Promise<string[]> {
  try {
    const out = await git(repoDir, "ls-tree", "-r", "--name-only", rev, "runs/");
    return out
      .split("\n")
      .filter((p) => p.endsWith(".jsonl"))
      .sort();
  } catch {
    return [];
  }
}

/** Every record in the journal at `rev` (of `job`, when given). */
export async function journalRuns(
  repoDir: string,
  rev: string,
  job?: string,
): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (const file of await journalFiles(repoDir, rev)) {
    const text = await git(repoDir, "show", `${rev}:${file}`);
    for (const line of text.split("\n").filter(Boolean)) {
      const run = JSON.parse(line) as RunSummary;
      if (job === undefined || run.job === job) runs.push(run);
    }
  }
  return runs;
}

/** A job's view (jobs/<name>.json) at `rev`, or null. */
export async function viewAt(repoDir: string, rev: string, job: string) {
  try {
    return JSON.parse(await git(repoDir, "show", `${rev}:jobs/${job}.json`)) as {
      last: RunSummary;
      lastStarted?: RunSummary | null;
      counts: Record<string, number>;
      journal: string;
    };
  } catch {
    return null;
  }
}
