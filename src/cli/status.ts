// `gitcron status`: each job's schedule, last outcome, exit code, duration, last start and next
// run, read from the tip of the status branch (SPEC §9) — one line a job, as `kubectl get
// cronjobs` shows them — then the rejected files.

import { UsageError } from "../errors.js";
import type { Issue } from "../jobs/issues.js";
import { renderText } from "../jobs/render.js";
import { readableTime, ZoneCache } from "../schedule/cron.js";
import { jobRows, lastRunsOf, nextRunAfter } from "../status/last-runs.js";
import { readLedger } from "../status/ledger.js";
import { formatDuration } from "../text/duration.js";
import { visible } from "../text/visible.js";
import { type Command, parseFlags, writeLine } from "./command.js";
import { READ_FLAGS, READ_HELP, withStatusTip } from "./status-branch.js";

const help = `Usage: gitcron status [--repo R] [--status-branch B] [--format text|json]

Each job's schedule, last outcome, exit code, duration, last start and next run, read from the
status branch the agent writes (only its tip is fetched), then the files the agent rejected.

Flags:
${READ_HELP}
  --format text|json          (default text)

Exit codes: 0 ok, 2 the repository or its status branch cannot be read, or a bad flag.
`;

export const command: Command = {
  name: "status",
  summary: "each job's last outcome and next run, from the status branch",
  help,
  async run(argv, io) {
    const { values } = parseFlags(argv, { ...READ_FLAGS, format: { type: "string" } }, false);
    const format = values.format ?? "text";
    if (format !== "text" && format !== "json")
      throw new UsageError(`--format must be text or json, not "${format}"`);
    const { state, runs } = await withStatusTip(values, io, async ({ tip, state }) => ({
      state,
      // The views, then the journal files newer than them: exact however far the views lag.
      runs: lastRunsOf((await readLedger(tip, { history: 1 })).views),
    }));
    const rows = jobRows(state, runs);
    const nextRun = nextRunAfter(new Date());
    const zones = new ZoneCache();
    if (format === "json") {
      const jobs = rows.map((r) => ({
        name: r.name,
        file: r.active?.file ?? null,
        schedule: r.active?.schedule ?? null,
        timezone: r.active?.timezone ?? null,
        suspended: r.active?.suspended ?? null,
        pausedUntil: r.active?.pausedUntil ?? null,
        removed: !r.active,
        lastOutcome: r.last?.outcome ?? null,
        lastReason: r.last?.reason ?? null,
        exitCode: r.started?.exitCode ?? null,
        durationMs: r.started?.durationMs ?? null,
        lastStartedAt: r.started?.startedAt ?? null,
        nextRunAt: nextRun(r.active),
      }));
      io.stdout.write(
        `${JSON.stringify(
          {
            revision: state?.revision ?? null,
            lastSyncAt: state?.lastSyncAt ?? null,
            syncErrors: state?.syncErrors ?? { count: 0 },
            jobs,
            rejected: state?.rejected ?? [],
            leader: state?.leader ?? null,
          },
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    if (state) {
      const revision = state.revision ? state.revision.slice(0, 12) : "none";
      writeLine(
        io.stdout,
        visible(
          `revision ${revision}, last sync ${state.lastSyncAt ? readableTime("UTC", zones)(state.lastSyncAt) : "never"}, agent ${state.agentVersion}${
            state.leader ? `, leader ${state.leader.host} (pid ${state.leader.pid})` : ""
          }${state.syncErrors.count > 0 ? `, ${state.syncErrors.count} sync errors` : ""}`,
        ),
      );
    }
    const table = [
      ["JOB", "SCHEDULE", "ZONE", "LAST", "EXIT", "DURATION", "LAST START", "NEXT RUN"],
      ...rows.map((r) => {
        // Times in the job's own zone, to the second: an Amsterdam 02:30 job's next run reads
        // 02:30, not 01:30:00.000Z.
        const inZone = readableTime(r.active?.timezone, zones);
        const next = nextRun(r.active);
        return [
          r.active ? r.name : `${r.name} (removed)`,
          r.active
            ? `${r.active.schedule}${r.active.suspended ? " (suspended)" : ""}${
                r.active.pausedUntil ? ` (paused until ${inZone(r.active.pausedUntil)})` : ""
              }`
            : "-",
          r.active?.timezone ?? "-",
          r.last?.outcome ?? "-",
          r.started?.exitCode != null ? String(r.started.exitCode) : "-",
          r.started?.durationMs != null ? formatDuration(r.started.durationMs) : "-",
          r.started?.startedAt ? inZone(r.started.startedAt) : "-",
          next ? inZone(next) : "-",
        ];
      }),
    ];
    io.stdout.write(columns(table));
    if (rows.length === 0) writeLine(io.stdout, "(no jobs yet)");
    const rejected = state?.rejected ?? [];
    if (rejected.length > 0) {
      writeLine(io.stdout, "\nRejected files (their jobs keep their last good spec):");
      io.stdout.write(renderText(rejected.flatMap((r) => r.issues.map(visibleIssue))));
    }
    return 0;
  },
};

/** Rows as columns padded to their widest cell, two spaces apart, as kubectl prints them.
 * Cells are single-line text from the branch: a control character is shown as `\xNN`. */
function columns(rows: readonly (readonly string[])[]): string {
  const clean = rows.map((row) => row.map((cell) => visible(cell)));
  const widths = clean[0]?.map((_, i) => Math.max(...clean.map((r) => (r[i] ?? "").length))) ?? [];
  return clean
    .map(
      (row) =>
        `${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

/** A finding from the branch with each text field on one visible line. */
const visibleIssue = (i: Issue): Issue => ({
  ...i,
  file: visible(i.file),
  rule: visible(i.rule),
  message: visible(i.message),
  ...(i.hint !== undefined && { hint: visible(i.hint) }),
});
