// What people read on the status branch: the README table and the commit messages. Pure.

import { readableTime, ZoneCache } from "../schedule/cron.js";
import { describeSchedule } from "../schedule/describe.js";
import { formatDuration } from "../text/duration.js";
import { cell, code } from "../text/markdown.js";
import type { PageLinks } from "../text/page-links.js";
import { type JobRow, jobRows, type LastRuns, nextRunAfter } from "./last-runs.js";
import type { StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";

/** `nightly: succeeded (exit 0, 7.5s)`; the parentheses say only what is known. */
export function describeRun(s: RunSummary): string {
  const facts = [
    s.exitCode !== null ? `exit ${s.exitCode}` : null,
    s.durationMs !== null ? formatDuration(s.durationMs) : null,
  ].filter((f) => f !== null);
  return facts.length > 0
    ? `${s.job}: ${s.outcome} (${facts.join(", ")})`
    : `${s.job}: ${s.outcome}`;
}

const SUBJECT_MAX = 100;
const BODY_MAX_LINES = 50;

/** One run: `<job>: <outcome> (exit <code>, <duration>)`. A batch: `<n> runs: a: succeeded,
 * b: failed ×2, … +k more` on the subject, one line per run in the body (capped). */
export function commitMessage(summaries: readonly RunSummary[]): string {
  if (summaries.length === 0) return "status: update state";
  if (summaries.length === 1) return describeRun(summaries[0] as RunSummary);

  const groups = new Map<string, number>();
  for (const s of summaries) {
    const key = `${s.job}: ${s.outcome}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const parts = [...groups].map(([key, n]) => (n > 1 ? `${key} ×${n}` : key));
  let subject = `${summaries.length} runs: `;
  let shown = 0;
  for (const part of parts) {
    const rest = parts.length - shown - 1;
    const tail = rest > 0 ? `, … +${rest} more` : "";
    if (shown > 0 && subject.length + part.length + 2 + tail.length > SUBJECT_MAX) break;
    subject += `${shown > 0 ? ", " : ""}${part}`;
    shown++;
  }
  if (shown < parts.length) subject += `, … +${parts.length - shown} more`;

  const lines = summaries.slice(0, BODY_MAX_LINES).map((s) => `${s.run}: ${describeRun(s)}`);
  if (summaries.length > BODY_MAX_LINES)
    lines.push(`… and ${summaries.length - BODY_MAX_LINES} more`);
  return `${subject}\n\n${lines.join("\n")}`;
}

export interface ReadmeInput {
  state: StatusState | null;
  runs: LastRuns;
  /** The status branch name, for the heading. */
  branch: string;
  /** When it is written: next runs are worked out from each schedule for this instant. */
  now: Date;
  /** Each job's name links to its page (`--public-url`). */
  links?: PageLinks;
}

/** Up to this many jobs, every job gets a full row; past it, only those that need attention do,
 * and the rest are one short line each, so the README stays readable (and under ~200 KB) at
 * 5,000 jobs (SPEC §10). */
export const FULL_TABLE_MAX = 200;
/** Rows of the attention table at most; `gitcron status` lists them all. */
const ATTENTION_MAX = 500;

const FAILED = new Set(["failed", "timeout", "error"]);

function scheduleCell(schedule: string, timezone: string): string {
  let words = "";
  try {
    words = ` — ${cell(describeSchedule(schedule))}`;
  } catch {
    // cronstrue knows fewer forms than gitcron; the expression alone still says it.
  }
  return `${code(schedule)} ${cell(timezone)}${words}`;
}

function outcomeCell(s: RunSummary | undefined): string {
  if (!s) return "—";
  const mark =
    s.outcome === "succeeded"
      ? "✅"
      : s.outcome === "skipped" || s.outcome === "missed"
        ? "⏭️"
        : s.outcome === "stopped"
          ? "⏹️"
          : "❌";
  return `${mark} ${cell(s.outcome)}${s.reason ? ` (${cell(s.reason)})` : ""}`;
}

/** "2 paused (gitcron pause), " while some are; nothing otherwise. */
const paused = (rows: readonly JobRow[]) => {
  const n = rows.filter((r) => r.active?.pausedUntil).length;
  return n > 0 ? `${n} paused (gitcron pause), ` : "";
};

const needsAttention = (row: JobRow) =>
  (row.last !== undefined && FAILED.has(row.last.outcome)) || row.active?.late === true;

/** The README of the status branch: totals, then the jobs that need attention (failing, late),
 * then the rest, then the rejected files. Everything in it that came from a file or a run goes
 * through the Markdown escaper; the caller redacts the whole. */
export function renderReadme(input: ReadmeInput): string {
  const { state } = input;
  const rows = jobRows(state, input.runs);
  // Only full rows show it: past 200 jobs most rows are the compact list.
  const nextRun = nextRunAfter(input.now);
  const out: string[] = [`# gitcron status (${code(input.branch)})`, ""];
  if (state) {
    const sync = state.lastSyncAt
      ? `last sync ${cell(readableTime("UTC")(state.lastSyncAt))}`
      : "not synced yet";
    const revision = state.revision
      ? `revision ${code(state.revision.slice(0, 12))}`
      : "no revision";
    out.push(`Applied ${revision}, ${sync}, agent ${cell(state.agentVersion)}.`);
    if (state.syncErrors.count > 0 && state.syncErrors.last) {
      const last = state.syncErrors.last;
      out.push(
        "",
        `⚠️ ${state.syncErrors.count} sync errors; last at ${cell(last.at)}: ${cell(last.message)}`,
      );
    }
    out.push("");
  }
  const attention = rows.filter(needsAttention);
  const rejected = state?.rejected ?? [];
  const active = rows.filter((r) => r.active).length;
  out.push(
    `**${active} jobs**: ${attention.length} failing or late, ${rows.filter((r) => r.active?.suspended).length} suspended, ${paused(rows)}${rejected.length} rejected files.`,
    "",
  );

  // The link is built from the setting and the (encoded) job name only; the name shown is escaped.
  const { links } = input;
  const nameCell = (name: string) => (links ? `[${cell(name)}](${links.job(name)})` : cell(name));
  const zones = new ZoneCache();
  const fullRow = ({ name, active: job, last, started }: JobRow) => {
    const nextRunAt = nextRun(job);
    // In the job's own zone, to the second.
    const inZone = readableTime(job?.timezone, zones);
    const row = [
      job ? nameCell(name) : `${cell(name)} (removed)`,
      job
        ? `${scheduleCell(job.schedule, job.timezone)}${job.suspended ? " (suspended)" : ""}${
            job.pausedUntil ? ` (⏸️ paused until ${cell(inZone(job.pausedUntil))})` : ""
          }`
        : "—",
      `${outcomeCell(last)}${job?.late ? " ⏰ late" : ""}`,
      started?.exitCode != null ? String(started.exitCode) : "—",
      started?.durationMs != null ? formatDuration(started.durationMs) : "—",
      started?.startedAt ? cell(inZone(started.startedAt)) : "—",
      nextRunAt ? cell(inZone(nextRunAt)) : "—",
    ];
    return `| ${row.join(" | ")} |`;
  };
  const table = (list: readonly JobRow[]) => [
    "| job | schedule | last outcome | exit code | duration | last start | next run |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...list.map(fullRow),
  ];

  if (rows.length === 0) out.push(...table([]), "| (no jobs) | | | | | | |");
  else if (rows.length <= FULL_TABLE_MAX) {
    out.push(...table([...attention, ...rows.filter((r) => !needsAttention(r))]));
  } else {
    if (attention.length > 0) {
      out.push("## Failing or late", "", ...table(attention.slice(0, ATTENTION_MAX)));
      if (attention.length > ATTENTION_MAX)
        out.push(
          "",
          `… and ${attention.length - ATTENTION_MAX} more: \`gitcron status\` lists them all.`,
        );
      out.push("");
    }
    const rest = rows.filter((r) => !needsAttention(r));
    out.push(
      `## The other ${rest.length} jobs`,
      "",
      "Each with its last outcome; `gitcron status` shows every column.",
      "",
      rest
        .map(
          (r) =>
            `${r.active ? nameCell(r.name) : `${cell(r.name)} (removed)`} ${r.last ? (r.last.outcome === "succeeded" ? "✅" : "⏭️") : "·"}`,
        )
        .join(" · "),
    );
  }

  if (rejected.length > 0) {
    out.push(
      "",
      "## Rejected files",
      "",
      "These files were not applied; their jobs keep their last good spec.",
      "",
    );
    for (const r of rejected) {
      for (const i of r.issues)
        out.push(
          `- ${code(`${i.file}:${i.line}:${i.col}`)} ${cell(i.severity)}: ${cell(i.message)} (${cell(i.rule)})`,
        );
    }
  }
  out.push(
    "",
    "Every run is in the journal, `runs/<day>/<hour>/*.jsonl` (one file a publish, never changed); each job at a glance, with the journal files of its last runs, in `jobs/<name>.json`. `gitcron logs <job>` shows a job's last runs with their output.",
    "",
  );
  return out.join("\n");
}
