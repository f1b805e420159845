// Reading the run ledger at one commit of the status branch (SPEC §10): the views, then the
// journal files newer than them, so that what a reader shows is exact however far the views
// lag. `gitcron status`, `gitcron logs`, the agent's page and notifier after a restart and the
// writer itself all read the branch through here. A branch still in the earlier layout
// (jobs/<name>/runs.jsonl) is read too, until an agent of this release moves it into the
// journal.

import type { Logger } from "../log.js";
import { isJournalPath, journalOfRef, journalRef, parseRuns, uniqueRuns } from "./journal.js";
import { recordKey } from "./outbox.js";
import type { RunSummary } from "./summary.js";
import {
  foldRuns,
  type JobView,
  parseCursor,
  parseView,
  VIEWS_FILE,
  type ViewsCursor,
  viewJob,
} from "./views.js";

/** A commit's files: every path, and their contents by path (a path not there is left out). */
export interface LedgerTip {
  readonly paths: readonly string[];
  read(paths: readonly string[]): Promise<Map<string, string>>;
}

export interface Ledger {
  cursor: ViewsCursor;
  /** Each job's view as the branch's views and newer journal files make it. */
  views: Map<string, JobView>;
  /** The journal files newer than the views, oldest first. */
  newer: string[];
  /** Keys of the records in those files and in the views' own newest one: a record among them
   * is on the branch, and a writer does not write it again. */
  recentKeys: Set<string>;
  /** Jobs whose view on the branch lags the journal. */
  behind: Set<string>;
  /** Files of the earlier layout (jobs/<name>/runs.jsonl), by job. */
  legacy: Map<string, string>;
}

const LEGACY = /^jobs\/([^/]+)\/runs\.jsonl$/;
/** How a view names a file of the earlier layout among its journal files. */
const LEGACY_REF = "legacy:";

export interface ReadLedgerOptions {
  /** Only these jobs' views (default: every job's). */
  jobs?: readonly string[];
  history: number;
  logger?: Logger;
}

/** The ledger at `tip`: views, folded with the journal files newer than them. */
export async function readLedger(tip: LedgerTip, options: ReadLedgerOptions): Promise<Ledger> {
  const { history, logger } = options;
  const wanted = options.jobs ? new Set(options.jobs) : null;
  const want = (job: string) => wanted === null || wanted.has(job);
  const journal: string[] = [];
  const viewPaths: string[] = [];
  const legacy = new Map<string, string>();
  for (const path of tip.paths) {
    if (isJournalPath(path)) journal.push(path);
    const job = viewJob(path);
    if (job !== null && want(job)) viewPaths.push(path);
    const old = LEGACY.exec(path)?.[1];
    if (old !== undefined && want(old)) legacy.set(old, path);
  }
  journal.sort();
  const files = await tip.read([VIEWS_FILE, ...viewPaths, ...legacy.values()]);
  const cursor = parseCursor(files.get(VIEWS_FILE));
  const views = new Map<string, JobView>();
  for (const path of viewPaths) {
    const job = viewJob(path) as string;
    const view = parseView(files.get(path) ?? "", job);
    if (view) views.set(job, view);
    else if (files.has(path)) logger?.warn({ file: path }, "unreadable view on the status branch");
  }
  // The earlier layout: each job's runs.jsonl held its last --history runs.
  for (const [job, path] of legacy) {
    if (views.has(job)) continue;
    const runs = uniqueRuns(parseRuns(files.get(path) ?? "", path, logger));
    const folded = foldRuns(undefined, runs, `${LEGACY_REF}${path}`, history);
    if (folded) views.set(job, folded);
  }
  const through = cursor.through === null ? null : journalOfRef(cursor.through);
  const newer = journal.filter((p) => through === null || p > through);
  const recentKeys = new Set<string>();
  const behind = new Set<string>();
  const atCursor = through !== null && journal.includes(through) ? [through] : [];
  const texts = await tip.read([...atCursor, ...newer]);
  for (const path of atCursor)
    for (const run of parseRuns(texts.get(path) ?? "", path, logger))
      recentKeys.add(recordKey(run));
  for (const path of newer) {
    const runs = parseRuns(texts.get(path) ?? "", path, logger).filter((r) => {
      const key = recordKey(r);
      if (recentKeys.has(key)) return false;
      recentKeys.add(key);
      return want(r.job);
    });
    for (const [job, ofJob] of groupByJob(runs)) {
      const folded = foldRuns(views.get(job), ofJob, journalRef(path), history);
      if (folded) views.set(job, folded);
      behind.add(job);
    }
  }
  return { cursor, views, newer, recentKeys, behind, legacy };
}

export function groupByJob(runs: readonly RunSummary[]): Map<string, RunSummary[]> {
  const byJob = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const list = byJob.get(run.job);
    if (list) list.push(run);
    else byJob.set(run.job, [run]);
  }
  return byJob;
}

/** The files (journal or earlier layout) a view names, each once, newest last. */
export function filesOfView(view: JobView, count: number): string[] {
  const refs = [...new Set(view.journal.slice(-count))];
  return refs.flatMap((ref) => {
    const path = ref.startsWith(LEGACY_REF) ? ref.slice(LEGACY_REF.length) : journalOfRef(ref);
    return isJournalPath(path) || LEGACY.test(path) ? [path] : [];
  });
}

/** A job's last `count` records with their log tails, oldest first: from the files its view
 * names (which, once read through readLedger, include the newer journal files). */
export async function runsOfJob(
  tip: LedgerTip,
  view: JobView | undefined,
  count: number,
  logger?: Logger,
): Promise<RunSummary[]> {
  if (!view) return [];
  const runs = await runsOfJobs(tip, new Map([[view.job, view]]), [view.job], count, logger);
  return runs.get(view.job) ?? [];
}

/** Several jobs' last records at once, reading each file once. */
export async function runsOfJobs(
  tip: LedgerTip,
  views: ReadonlyMap<string, JobView>,
  jobs: readonly string[],
  count: number,
  logger?: Logger,
): Promise<Map<string, RunSummary[]>> {
  const paths = new Set<string>();
  for (const job of jobs) {
    const view = views.get(job);
    if (view) for (const p of filesOfView(view, count)) paths.add(p);
  }
  const texts = await tip.read([...paths]);
  const wanted = new Set(jobs);
  const runs = [...paths].flatMap((path) =>
    parseRuns(texts.get(path) ?? "", path, logger).filter((run) => wanted.has(run.job)),
  );
  return new Map(
    [...groupByJob(runs)].map(([job, ofJob]) => [job, uniqueRuns(ofJob).slice(-count)]),
  );
}
