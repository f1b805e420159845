// What a notification says (SPEC §7): a JSON body whose `text` is one line a person reads, so
// Slack and Mattermost incoming webhooks take it as it is (escaped for their markup: a job's
// output never mentions a channel or disguises a link); the same line is a mail's subject.
// Pure: the caller redacts the result on its way out.

import type { NotifyEvent } from "../jobs/spec.js";
import type { RunSummary } from "../status/summary.js";
import { formatDuration } from "../text/duration.js";
import type { PageLinks } from "../text/page-links.js";
import { chatText, plainText } from "./chat-text.js";

/** What a job file's fate tells (not a job's health): rejected at a revision, valid again. */
export type FileEvent = "rejected" | "fixed";

export interface NotificationBody {
  event: NotifyEvent | FileEvent;
  /** null only for ticks several jobs missed together (see `jobs`). */
  job: string | null;
  outcome: RunSummary["outcome"] | null;
  exitCode: number | null;
  run: string | null;
  scheduledAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  reason: string | null;
  labels: Record<string, string>;
  /** The run's last 20 lines of output, redacted. */
  logTail: string;
  statusUrl: string | null;
  /** The job's page and the run on it, with `--public-url`. */
  jobUrl?: string;
  runUrl?: string;
  text: string;
  /** A catch-up's missed ticks, a job each (only in its `missed` notification). */
  jobs?: { job: string; ticks: number; first: string; last: string }[];
  /** Every job paused without a commit (`gitcron pause`) when it was sent, and until when: so
   * that no one forgets a pause while it lasts. */
  paused?: { job: string; until: string }[];
}

/** The notification with the pauses going on noted in its line and its facts. */
export function withPauses(
  body: NotificationBody,
  pauses: ReadonlyMap<string, Date>,
  now: Date,
): NotificationBody {
  if (pauses.size === 0) return body;
  const paused = [...pauses]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([job, until]) => ({ job, until: until.toISOString() }));
  const list = paused.map((p) => `${p.job} until ${when(p.until, now)}`).join(", ");
  return { ...body, paused, text: `${body.text} (paused: ${chatText(list)})` };
}

const TAIL_LINES = 20;

/** `03:00 UTC` for today, `2026-11-26 03:00 UTC` otherwise: when, at a glance. */
function when(iso: string | null, now: Date): string {
  if (!iso) return "";
  const at = new Date(iso);
  const hm = at.toISOString().slice(11, 16);
  return at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)
    ? `${hm} UTC`
    : `${at.toISOString().slice(0, 10)} ${hm} UTC`;
}

const firstLine = (text: string | null | undefined) =>
  (text ?? "")
    .split("\n")
    .find((l) => l.trim() !== "")
    ?.trim() ?? "";

/** The line a person reads. */
function line(
  event: NotifyEvent | FileEvent,
  job: string,
  run: RunSummary | undefined,
  extra: string,
  now: Date,
) {
  switch (event) {
    case "failure": {
      const code = run?.exitCode != null ? ` (exit ${run.exitCode})` : "";
      const what = run?.outcome === "failed" ? "failed" : `ended: ${run?.outcome ?? "failed"}`;
      const why = firstLine(run?.reason) || firstLine(run?.logTail.split("\n").at(-1));
      return `${job} ${what}${code} at ${when(run?.finishedAt ?? null, now)}${why ? ` — ${why}` : ""}`;
    }
    case "recovery":
      return `${job} recovered: succeeded at ${when(run?.finishedAt ?? null, now)}${
        run?.durationMs != null ? ` in ${formatDuration(run.durationMs)}` : ""
      }`;
    case "late":
      return `${job} is late: ${extra}`;
    case "missed":
      return `${job} missed ${extra}`;
    case "rejected":
    case "fixed":
      return extra;
  }
}

export function notificationBody(input: {
  event: NotifyEvent | FileEvent;
  job: string;
  run?: RunSummary;
  /** For late: how long without a success; for missed: how many ticks and why. */
  detail?: string;
  statusUrl: string | null;
  /** With `--public-url`: the line ends with the run's (else the job's) page, and the body
   * has both. */
  links?: PageLinks;
  now: Date;
}): NotificationBody {
  const { run, links } = input;
  const jobUrl = links?.job(input.job);
  const runUrl = run && links?.run(input.job, run.run);
  const text = chatText(
    line(input.event, input.job, run, input.detail ?? "", input.now).replace(/\p{Cc}/gu, " "),
  );
  return {
    event: input.event,
    job: input.job,
    outcome: run?.outcome ?? null,
    exitCode: run?.exitCode ?? null,
    run: run?.run ?? null,
    scheduledAt: run?.scheduledAt ?? null,
    finishedAt: run?.finishedAt ?? null,
    durationMs: run?.durationMs ?? null,
    reason: run?.reason ?? null,
    labels: run?.labels ?? {},
    logTail: (run?.logTail ?? "").split("\n").slice(-TAIL_LINES).join("\n"),
    statusUrl: input.statusUrl,
    ...(jobUrl && { jobUrl }),
    ...(runUrl && { runUrl }),
    // Built from the setting, the job's name and the run id only: safe to leave unescaped, and
    // chat apps link it.
    text: jobUrl ? `${text} ${runUrl ?? jobUrl}` : text,
  };
}

/** The ticks jobs missed while no agent ran them, told in one notification: a restart pages
 * once, not once per job. */
export function caughtUpBody(input: {
  missed: readonly { job: string; count: number; first: Date; last: Date }[];
  statusUrl: string | null;
  now: Date;
}): NotificationBody {
  const { missed, now } = input;
  const ticks = (n: number) => (n === 1 ? "1 tick" : `${n} ticks`);
  const oldest = new Date(Math.min(...missed.map((m) => m.first.getTime())));
  const ago = formatDuration(now.getTime() - oldest.getTime());
  const [only] = missed;
  const names = missed.map((m) => m.job).join(", ");
  const what =
    missed.length === 1 && only
      ? `${only.job} missed ${ticks(only.count)} while no agent ran it`
      : new Set(missed.map((m) => m.count)).size === 1
        ? `${missed.length} jobs missed ${ticks(only?.count ?? 0)} each while no agent ran them (${names})`
        : `${missed.length} jobs missed ticks while no agent ran them (${missed.map((m) => `${m.job} ${m.count}`).join(", ")})`;
  const line = `${what}, since ${when(oldest.toISOString(), now)} (${ago} ago)`;
  return {
    ...notificationBody({ event: "missed", job: "", statusUrl: input.statusUrl, now }),
    job: missed.length === 1 && only ? only.job : null,
    text: chatText(line.replace(/\p{Cc}/gu, " ")),
    jobs: missed.map((m) => ({
      job: m.job,
      ticks: m.count,
      first: m.first.toISOString(),
      last: m.last.toISOString(),
    })),
  };
}

/** The mail of a notification: the line as subject, the facts and the log tail as body. */
export function mailOf(body: NotificationBody): { subject: string; text: string } {
  const facts = [
    ["job", body.job],
    ["event", body.event],
    ["outcome", body.outcome],
    ["exit code", body.exitCode],
    ["run", body.run],
    ["scheduled", body.scheduledAt],
    ["finished", body.finishedAt],
    ["duration", body.durationMs != null ? formatDuration(body.durationMs) : null],
    ["reason", body.reason],
    [
      "ticks missed",
      body.jobs?.map((j) => `${j.job} ${j.ticks} (${j.first} … ${j.last})`).join(", "),
    ],
    ["paused", body.paused?.map((p) => `${p.job} until ${p.until}`).join(", ")],
    ["page", body.jobUrl],
    ["run page", body.runUrl],
    ["status", body.statusUrl],
  ].filter(([, v]) => v !== null && v !== undefined);
  const lines = facts.map(([k, v]) => `${k}: ${v}`);
  if (body.logTail) lines.push("", "last lines of output:", body.logTail);
  const subject = plainText(body.text);
  return { subject, text: `${subject}\n\n${lines.join("\n")}\n` };
}

/** Where people read the status branch: the README on GitHub or GitLab, when the repository
 * is there; null for other remotes. */
export function statusUrlOf(repo: string, branch: string): string | null {
  const https = /^https:\/\/(?:[^@/]+@)?(github\.com|gitlab\.com)\/(.+?)(?:\.git)?\/?$/.exec(repo);
  const ssh = /^git@(github\.com|gitlab\.com):(.+?)(?:\.git)?$/.exec(repo);
  const match = https ?? ssh;
  if (!match) return null;
  const [, host, path] = match;
  const blob = host === "gitlab.com" ? "-/blob" : "blob";
  return `https://${host}/${path}/${blob}/${encodeURIComponent(branch)}/README.md`;
}
