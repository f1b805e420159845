// The views of the status branch, derived from the journal (SPEC §10): jobs/<name>.json, one job
// at a glance — its newest record and newest run that started (both without their log tail),
// counters, and the journal files that hold its last --history records — and views.json, the
// journal file the views were last brought up to. Readers take the views, then the journal files
// newer than views.json says, so what they show is exact however far the views lag. Pure.

import type { RunSummary } from "./summary.js";
import { isRunSummary } from "./summary-shape.js";

export interface JobView {
  job: string;
  /** Its newest record (by finish, else due time), without the log tail. */
  last: RunSummary;
  /** Its newest run that started; null when none did. */
  lastStarted: RunSummary | null;
  /** Records by outcome, since the job's first. */
  counts: Record<string, number>;
  /** The journal file (as journalRef names it) of each of its last --history records, in the
   * order they were written. On the branch one string, space-separated: a reader of the last
   * runs of 5,000 jobs (`gitcron status`) parses 5,000 strings, not half a million. */
  journal: string[];
}

export interface ViewsCursor {
  /** The newest journal file the views hold (journalRef), or null: none yet. */
  through: string | null;
  /** When the branch's history was last replaced by one root commit (retention). */
  squashedAt: string | null;
}

export const VIEWS_FILE = "views.json";

/** A job's view file; names are DNS labels already, this only keeps a bad one inside jobs/. */
export const viewPath = (job: string): string => `jobs/${job.replace(/[^A-Za-z0-9_-]/g, "_")}.json`;

const VIEW_PATH = /^jobs\/([^/]+)\.json$/;
/** The job a path under jobs/ is the view of, or null. */
export const viewJob = (path: string): string | null => VIEW_PATH.exec(path)?.[1] ?? null;

const withoutTail = (run: RunSummary): RunSummary => ({ ...run, logTail: "" });
const newer = (a: RunSummary, b: RunSummary) =>
  Date.parse(a.finishedAt ?? a.scheduledAt) >= Date.parse(b.finishedAt ?? b.scheduledAt);

/** The view with `runs` (one job's, written in the journal file `ref` names) added. */
export function foldRuns(
  view: JobView | undefined,
  runs: readonly RunSummary[],
  ref: string,
  history: number,
): JobView | undefined {
  let next = view;
  for (const run of runs) {
    const stripped = withoutTail(run);
    const counts = { ...(next?.counts ?? {}) };
    counts[run.outcome] = (counts[run.outcome] ?? 0) + 1;
    const last = next && !newer(run, next.last) ? next.last : stripped;
    const previousStarted = next?.lastStarted ?? null;
    const lastStarted =
      run.startedAt && (!previousStarted || newer(run, previousStarted))
        ? stripped
        : previousStarted;
    next = {
      job: run.job,
      last,
      lastStarted,
      counts,
      journal: [...(next?.journal ?? []), ref].slice(-Math.max(1, history)),
    };
  }
  return next;
}

/** A view as written: `lastStarted` left out where it is `last` itself. */
export function viewText(view: JobView): string {
  const { lastStarted, journal, ...rest } = view;
  const same = lastStarted !== null && lastStarted.run === view.last.run && view.last.startedAt;
  const written = {
    version: 2,
    ...rest,
    ...(same ? {} : { lastStarted }),
    journal: journal.join(" "),
  };
  return `${JSON.stringify(written, null, 1)}\n`;
}

const REF = /^\d{4}-\d{2}-\d{2}\/\d{2}\/\d{4}-[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** At most this many characters of journal names in a view: --history of 1,000 and then some. */
const JOURNAL_MAX_CHARS = 1_000 * 80;

/** A view read back from the branch, checked whole (anyone can push it, SPEC §4); null when it
 * is not one, or is another job's. */
export function parseView(text: string, job: string): JobView | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.version !== 2 || v.job !== job || !isRunSummary(v.last) || v.last.job !== job) return null;
  const started = v.lastStarted === undefined ? (v.last.startedAt ? v.last : null) : v.lastStarted;
  if (started !== null && (!isRunSummary(started) || started.job !== job)) return null;
  const counts = v.counts;
  if (typeof counts !== "object" || counts === null || Array.isArray(counts)) return null;
  const countEntries = Object.entries(counts);
  if (!countEntries.every(([, n]) => Number.isSafeInteger(n) && (n as number) >= 0)) return null;
  // A name that is no journal file only reads nothing: the names are checked where they are
  // looked up, not here for each of a view's hundred (SPEC §4 trusts no byte of the branch).
  if (typeof v.journal !== "string" || v.journal.length > JOURNAL_MAX_CHARS) return null;
  const names = v.journal;
  const view = {
    job,
    last: v.last,
    lastStarted: started,
    counts: Object.fromEntries(countEntries) as Record<string, number>,
  } as JobView;
  // Split when first asked for: `gitcron status` reads 5,000 views and never asks.
  let journal: string[] | null = null;
  Object.defineProperty(view, "journal", {
    enumerable: true,
    get: () => {
      journal ??= names === "" ? [] : names.split(" ");
      return journal;
    },
  });
  return view;
}

export const cursorText = (cursor: ViewsCursor): string =>
  `${JSON.stringify({ version: 1, ...cursor }, null, 2)}\n`;

export function parseCursor(text: string | undefined): ViewsCursor {
  const none: ViewsCursor = { through: null, squashedAt: null };
  if (text === undefined) return none;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const through = typeof v.through === "string" && REF.test(v.through) ? v.through : null;
    const squashed =
      typeof v.squashedAt === "string" && !Number.isNaN(Date.parse(v.squashedAt))
        ? v.squashedAt
        : null;
    return { through, squashedAt: squashed };
  } catch {
    return none;
  }
}
