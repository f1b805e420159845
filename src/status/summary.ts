// The run summary of SPEC §3, as written to the status branch's journal (runs/…/*.jsonl).

import type { RunOutcome, Trigger } from "../runtime/runtime.js";

export type SummaryOutcome = RunOutcome | "skipped" | "missed";

export interface RunSummary {
  job: string;
  run: string;
  attempt: number;
  outcome: SummaryOutcome;
  exitCode: number | null;
  reason: string | null;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  image: string;
  imageDigest: string | null;
  revision: string;
  trigger: Trigger;
  logTail: string;
  labels?: Record<string, string>;
}
