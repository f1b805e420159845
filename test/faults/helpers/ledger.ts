// The suite's three promises, checked from outside the agent: no run lost (every container
// the engine ran has a record on the status branch, and every record of a run that ran has
// its container in the engine's events), no run recorded or run twice (no two lines of one
// run + attempt, no two containers of one run), never two containers of one job at once (from
// the engine's own events, not asked of the agent).

import { appendFile } from "node:fs/promises";
import type { RunSummary } from "../../../src/status/summary.js";
import { journalRuns } from "../../helpers/ledger.js";
import type { EngineReport } from "./engine-events.js";

/** Every run summary on the status branch: every line of every journal file at its tip. */
export async function statusRecords(repoDir: string, branch = "gitcron-status") {
  return journalRuns(repoDir, branch);
}

export interface LedgerReport {
  records: number;
  /** Runs (run#attempt) that ended more than once on the branch — also with two different
   * outcomes — and tick records (run#attempt#outcome) written twice. */
  duplicates: string[];
  /** Runs the engine ran in more than one container (a tick run twice). */
  ranTwice: string[];
  /** Runs the engine ran that have no record of their end and are no longer in the engine. */
  lost: string[];
  /** Runs still in the engine at the end with no record of their end: left for a next start. */
  leftUnrecorded: string[];
  /** Runs recorded as having run (succeeded, failed, timeout) that no engine was seen starting:
   * a record of a run that never was, or a container the watch missed. */
  unseen: string[];
  /** The most containers of one job at once. */
  maxLive: number;
  /** What was live when a job had more than one container at once. */
  overlaps: string[];
  containersSeen: number;
}

const ENDED = new Set(["succeeded", "failed", "timeout", "error"]);
/** Outcomes of a run whose container started (`error` never ran). */
const RAN = new Set(["succeeded", "failed", "timeout"]);

/** The identity of a record: a run ends once, whatever its outcome; a tick that never ran
 * (skipped, missed) is its own record. */
const ledgerKey = (r: RunSummary) =>
  ENDED.has(r.outcome) ? `${r.run}#${r.attempt}` : `${r.run}#${r.attempt}#${r.outcome}`;

/** What a test did to the branch or the outbox itself, which the checks must not blame on the
 * agent. */
export interface Planted {
  /** Records once on the branch that a person removed: they count as recorded, not as
   * duplicates of what is there now. */
  erased?: readonly RunSummary[];
  /** Run ids of records the test wrote into the agent's outbox itself: recorded, never run by
   * an engine. */
  planted?: readonly string[];
}

export function checkLedger(
  records: readonly RunSummary[],
  engine: EngineReport,
  { erased = [], planted = [] }: Planted = {},
): LedgerReport {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(ledgerKey(r), (counts.get(ledgerKey(r)) ?? 0) + 1);
  const recorded = [...records, ...erased];
  const ended = new Set(recorded.filter((r) => ENDED.has(r.outcome)).map((r) => r.run));
  return {
    records: records.length,
    duplicates: [...counts].filter(([, n]) => n > 1).map(([key]) => key),
    ranTwice: [...engine.containersOfRun].filter(([, ids]) => ids.size > 1).map(([run]) => run),
    lost: [...engine.ranRuns].filter((run) => !ended.has(run) && !engine.present.has(run)),
    leftUnrecorded: [...engine.present].filter((run) => !ended.has(run)),
    unseen: [
      ...new Set(
        recorded
          .filter((r) => RAN.has(r.outcome) && !engine.ranRuns.has(r.run))
          .map((r) => r.run)
          .filter((run) => !planted.includes(run)),
      ),
    ],
    maxLive: Math.max(0, ...Object.values(engine.maxLive)),
    overlaps: engine.overlaps,
    containersSeen: engine.ranRuns.size,
  };
}

/** One line per test in the suite's tally file (printed at the end by the global setup). */
export async function tally(
  file: string,
  entry: { test: string; faults: Record<string, number>; ledger: LedgerReport; notes?: object },
): Promise<void> {
  const { duplicates, ranTwice, lost, leftUnrecorded, unseen, ...counts } = entry.ledger;
  const line = {
    ...entry,
    ledger: {
      ...counts,
      duplicates: duplicates.length,
      ranTwice: ranTwice.length,
      lost: lost.length,
      leftUnrecorded: leftUnrecorded.length,
      unseen: unseen.length,
    },
  };
  await appendFile(file, `${JSON.stringify(line)}\n`);
}
