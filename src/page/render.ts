// The status page's HTML (SPEC §8), server-rendered so that it works without script: the
// table is in the HTML, and page.js only adds the filter, relative times and live updates.
// Every value from a job file or a run goes in through the `html` tag, which escapes it.

import { readableTime, ZoneCache } from "../schedule/cron.js";
import { formatDuration } from "../text/duration.js";
import { type Html, html, type Interpolation } from "../text/html.js";
import { compactChart, detailedChart } from "./chart.js";
import { attentionRank, type JobPageModel, type JobRow, type PageModel } from "./model.js";

export const ASSET_PATHS = { css: "/assets/page.css", js: "/assets/page.js" } as const;

/** "2026-12-02 03:00:05 UTC", or in a job's zone: "2026-12-02 04:00:05 +01:00". */
export function absoluteTime(iso: string, timezone = "UTC"): string {
  return readableTime(timezone, zones)(iso);
}

const zones = new ZoneCache();

/** "in 5 min", "3 h ago", "just now". */
export function relativeTime(iso: string, now: Date): string {
  const ms = Date.parse(iso) - now.getTime();
  if (Number.isNaN(ms)) return iso;
  const abs = Math.abs(ms);
  if (abs < 10_000) return ms > 0 ? "in a moment" : "just now";
  const [n, unit] =
    abs < 60_000
      ? [Math.round(abs / 1000), "s"]
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), "min"]
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), "h"]
          : [Math.round(abs / 86_400_000), "d"];
  return ms > 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

/** A time as words relative to now (kept current by page.js) and as an absolute instant, in
 * the job's zone when it is a job's. */
export function when(iso: string | null, now: Date, timezone?: string): Html {
  if (!iso) return html`<span class="none">—</span>`;
  return html`<time datetime="${iso}" data-rel="">${relativeTime(iso, now)}</time> <span class="abs">${absoluteTime(iso, timezone)}</span>`;
}

export function layout(options: { title: string; body: Html; scripted?: boolean }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title}</title>
<link rel="stylesheet" href="${ASSET_PATHS.css}">
${options.scripted ? html`<script src="${ASSET_PATHS.js}" defer></script>` : null}
</head>
<body>
${options.body}
</body>
</html>
`;
}

const jobHref = (name: string) => `/jobs/${encodeURIComponent(name)}`;

function lastCell(row: JobRow, now: Date): Html {
  if (!row.last) return html`<span class="none">no run yet</span>`;
  const exit = row.last.exitCode === null ? "" : `, exit ${row.last.exitCode}`;
  return html`<span class="outcome ${row.last.outcome}">${row.last.outcome}${exit}</span><br>${when(row.last.at, now, row.timezone)}`;
}

/** One job's row; also what /events sends when the job changes. */
export function jobRowHtml(row: JobRow, now: Date): Html {
  const flags: Interpolation[] = [
    row.failing ? html` <span class="flag bad">failing</span>` : null,
    row.rejected ? html` <span class="flag bad">file rejected</span>` : null,
  ];
  return html`<tr data-job="${row.name}" data-rank="${String(attentionRank(row))}" data-last="${row.last?.at ?? ""}" class="${row.failing ? "failing" : row.state}">
<th scope="row"><a href="${jobHref(row.name)}">${row.name}</a><br><span class="file">${row.file}</span></th>
<td>${row.scheduleWords}<br><span class="zone">${row.schedule} · ${row.timezone}</span></td>
<td><span class="state ${row.state}">${row.state}</span>${flags}${row.pausedUntil ? html`<br><span class="zone">until ${absoluteTime(row.pausedUntil, row.timezone)}</span>` : null}</td>
<td>${lastCell(row, now)}</td>
<td>${compactChart(row.runs)}</td>
<td>${when(row.nextRunAt, now, row.timezone)}</td>
</tr>`;
}

function syncFacts(model: PageModel): Html {
  const { syncErrors } = model;
  return html`<dl class="facts">
<dt>Applied revision</dt><dd><code>${model.revision ?? "none yet"}</code></dd>
<dt>Last sync</dt><dd>${when(model.lastSyncAt, model.now)}</dd>
<dt>Sync errors</dt><dd>${String(syncErrors.count)}${
    syncErrors.last
      ? html` — last ${when(syncErrors.last.at, model.now)}: <span class="error">${syncErrors.last.message}</span>`
      : null
  }</dd>
<dt>Jobs</dt><dd>${String(model.jobs.length)}</dd>
<dt>Leader</dt><dd>${
    model.leader
      ? html`${model.leader.host} (pid ${String(model.leader.pid)})${model.leader.self ? " — this agent" : " — this agent stands by"}`
      : "not known"
  }</dd>
</dl>`;
}

function rejectedSection(model: PageModel): Html | null {
  if (model.rejected.length === 0) return null;
  return html`<section aria-labelledby="rejected-h" class="rejected">
<h2 id="rejected-h">Rejected files (${String(model.rejected.length)})</h2>
<ul>${model.rejected.map(
    (r) =>
      html`<li><code>${r.file}</code><ul>${r.issues.map(
        (i) =>
          html`<li>line ${String(i.line)}, column ${String(i.col)}: ${i.message} <span class="rule">(${i.rule})</span></li>`,
      )}</ul></li>`,
  )}</ul>
</section>`;
}

export function indexPage(model: PageModel): Html {
  const { now } = model;
  const body = html`<header><h1>gitcron</h1>${model.logsIn ? logoutForm() : null}</header>
<main>
<section aria-labelledby="sync-h"><h2 id="sync-h">Sync</h2>${syncFacts(model)}</section>
${rejectedSection(model)}
<section aria-labelledby="jobs-h">
<h2 id="jobs-h">Jobs</h2>
<p class="filter" hidden><label for="filter">Filter jobs</label> <input type="search" id="filter" autocomplete="off" placeholder="name, file, state or outcome"> <span id="shown" aria-live="polite"></span></p>
<div class="scroll">
<table id="jobs">
<caption>Every job: failing, late and rejected first, then by name. Bars above the line are runs that succeeded, below it runs that failed.</caption>
<thead><tr><th scope="col">Job</th><th scope="col">Schedule</th><th scope="col">State</th><th scope="col">Last run</th><th scope="col">Recent runs</th><th scope="col">Next run</th></tr></thead>
<tbody>
${() => model.jobs.map((row) => jobRowHtml(row, now))}
</tbody>
</table>
</div>
${model.jobs.length === 0 ? html`<p>No job is applied.</p>` : null}
</section>
</main>`;
  return layout({ title: "gitcron status", body, scripted: true });
}

function logoutForm(): Html {
  return html`<form method="post" action="/logout" class="logout"><button type="submit">Log out</button></form>`;
}

export function jobPage(model: JobPageModel): Html {
  const { row, now } = model;
  const runNow = model.canRun
    ? html`<form method="post" action="${`${jobHref(row.name)}/run`}" class="run-now"><button type="submit">Run now</button></form>`
    : null;
  // SIGTERM, then SIGKILL after the grace period; recorded as `stopped`.
  const stop =
    model.canRun && row.state === "running"
      ? html`<form method="post" action="${`${jobHref(row.name)}/stop`}" class="stop"><button type="submit">Stop the run</button></form>`
      : null;
  const history = model.history.map(
    // The run's id is its anchor: --public-url's links to a run land on its row.
    (s) => html`<tr class="${s.outcome}" id="${s.run}">
<th scope="row"><code>${s.run}</code></th>
<td>${s.trigger}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ""}</td>
<td><span class="outcome ${s.outcome}">${s.outcome}</span>${s.exitCode === null ? null : `, exit ${s.exitCode}`}${s.reason ? html`<br><span class="reason">${s.reason}</span>` : null}</td>
<td>${when(s.startedAt ?? s.scheduledAt, now, row.timezone)}</td>
<td>${s.durationMs === null ? "—" : formatDuration(s.durationMs)}</td>
<td>${s.logTail ? html`<details><summary>${lastLine(s.logTail)}</summary><pre class="log">${s.logTail}</pre></details>` : html`<span class="none">no output</span>`}</td>
</tr>`,
  );
  const body = html`<header class="job"><p><a href="/">← All jobs</a></p><h1>${row.name}</h1></header>
<main data-job="${row.name}" data-last="${row.last?.at ?? ""}">
<section aria-labelledby="now-h">
<h2 id="now-h">Now</h2>
<dl class="facts">
<dt>State</dt><dd><span class="state ${row.state}">${row.state}</span>${row.failing ? html` <span class="flag bad">failing</span>` : null}${pausedFact(row, model.canRun)}</dd>
<dt>Schedule</dt><dd>${row.scheduleWords} <span class="zone">(${row.schedule} · ${row.timezone})</span></dd>
<dt>Last run</dt><dd>${lastCell(row, now)}</dd>
<dt>Next run</dt><dd>${when(row.nextRunAt, now, row.timezone)}</dd>
<dt>File</dt><dd><code>${row.file}</code> at <code>${model.revision}</code></dd>
</dl>
${runNow}${stop}
</section>
<section aria-labelledby="chart-h"><h2 id="chart-h">Durations</h2>${detailedChart(
    model.history
      .slice()
      .reverse()
      .map((s) => ({
        run: s.run,
        outcome: s.outcome,
        durationMs: s.durationMs,
        at: s.startedAt ?? s.scheduledAt,
      })),
  )}</section>
<section aria-labelledby="runs-h">
<h2 id="runs-h">Run history</h2>
<div class="scroll">
<table id="runs">
<caption>The last ${String(model.history.length)} runs, newest first, as the status branch holds them.</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Trigger</th><th scope="col">Outcome</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Log tail</th></tr></thead>
<tbody>
${history}
</tbody>
</table>
</div>
</section>
<section aria-labelledby="spec-h"><h2 id="spec-h">Applied spec</h2><pre class="spec">${JSON.stringify(model.spec, null, 2)}</pre></section>
</main>`;
  return layout({ title: `${row.name} · gitcron`, body, scripted: true });
}

/** "paused until …, no scheduled run starts" and, for whoever may act, Resume. */
function pausedFact(row: JobRow, canRun: boolean): Html | null {
  if (!row.pausedUntil) return null;
  const resume = canRun
    ? html` <form method="post" action="${`${jobHref(row.name)}/resume`}" class="resume"><button type="submit">Resume</button></form>`
    : null;
  return html`<br><span class="paused">Paused (gitcron pause) until ${absoluteTime(row.pausedUntil, row.timezone)}: no scheduled run starts.</span>${resume}`;
}

const lastLine = (text: string) => {
  const lines = text.trimEnd().split("\n");
  const last = lines[lines.length - 1] ?? "";
  return last.length > 80 ? `${last.slice(0, 80)}…` : last;
};

/** The token form: shows no job. `next` is where to go after login (a path on this agent). */
export function loginPage(options: { next: string; error?: string }): Html {
  const body = html`<header><h1>gitcron</h1></header>
<main>
<h2>Log in</h2>
<p>This agent shows its jobs to holders of its API token (<code>--api-token</code>).</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : null}
<form method="post" action="/login" class="login">
<input type="hidden" name="next" value="${options.next}">
<label for="token">API token</label>
<input type="password" id="token" name="token" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
</main>`;
  return layout({ title: "Log in · gitcron", body });
}

/** A refusal as a page (no job on it). */
export function messagePage(title: string, message: string): Html {
  return layout({
    title: `${title} · gitcron`,
    body: html`<header><h1>gitcron</h1></header><main><h2>${title}</h2><p>${message}</p></main>`,
  });
}
