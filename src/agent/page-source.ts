// The status page's data on a running agent: the scheduler's view, each job's health, and its
// recent runs from the status branch. Recent runs are read once for all jobs (one batch read of
// the branch) and then kept current from the scheduler's "run:recorded", without log tails, so
// 5,000 jobs × 20 runs stay a few MB. Just after a restart the scheduler's own "last" may still
// be null (the agent reads it back in the background), so the branch is what says how a job
// last ran.

import {
  byAttention,
  CHART_RUNS,
  type JobRow,
  jobRow,
  type PageModel,
  scheduleWordsCache,
} from "../page/model.js";
import type { PageChange, PageSource } from "../page/source.js";
import type { JobView } from "../scheduler/scheduler.js";
import type { RunSummary } from "../status/summary.js";
import type { Agent } from "./agent.js";

/** Jobs read from the branch per batch. */
const READ_BATCH = 500;

export function agentPageSource(options: {
  agent: Agent;
  canRun: boolean;
  logsIn?: boolean;
}): PageSource {
  const { agent, canRun } = options;
  const words = scheduleWordsCache();
  const recent = new Map<string, RunSummary[]>();
  let loading: Promise<void> = Promise.resolve();

  const strip = (s: RunSummary): RunSummary => ({ ...s, logTail: "" });
  // Until the store has read or pushed the branch it answers with nothing: read again then.
  let firstPublish = true;
  agent.status.events.on("published", () => {
    if (!firstPublish) return;
    firstPublish = false;
    recent.clear();
  });
  agent.scheduler.events.on("run:recorded", ({ summary }) => {
    const runs = recent.get(summary.job);
    if (!runs) return;
    if (runs.some((r) => r.run === summary.run && r.attempt === summary.attempt)) return;
    runs.push(strip(summary));
    if (runs.length > CHART_RUNS) runs.splice(0, runs.length - CHART_RUNS);
  });

  const ensureRecent = async (names: readonly string[]) => {
    await loading;
    const missing = names.filter((n) => !recent.has(n));
    if (missing.length === 0) return;
    loading = (async () => {
      for (let i = 0; i < missing.length; i += READ_BATCH) {
        const batch = missing.slice(i, i + READ_BATCH);
        const runs = await agent.status.runsOfJobs(batch);
        for (const name of batch)
          recent.set(name, (runs.get(name) ?? []).slice(-CHART_RUNS).map(strip));
      }
    })();
    await loading;
  };

  const rowsOf = async (views: readonly JobView[]): Promise<JobRow[]> => {
    await ensureRecent(views.map((v) => v.spec.name));
    const rejected = new Set(agent.rejections().map((r) => r.file));
    return views.map((view) =>
      jobRow({
        view,
        runs: recent.get(view.spec.name) ?? [],
        late: agent.notifier.health(view.spec.name) === "late",
        rejected: rejected.has(view.spec.file),
        words,
      }),
    );
  };

  return {
    async page(now) {
      const rows = (await rowsOf(agent.scheduler.view())).sort(byAttention);
      const sync = agent.lastSync();
      return {
        now,
        jobs: rows,
        rejected: agent.rejections().map((r) => ({
          file: r.file,
          issues: r.issues.map((i) => ({
            line: i.line,
            col: i.col,
            rule: i.rule,
            message: i.message,
          })),
        })),
        revision: agent.revision(),
        leader: leaderOf(agent),
        lastSyncAt: agent.isReady() || sync.errors > 0 ? sync.at.toISOString() : null,
        syncErrors: {
          count: sync.errors,
          ...(sync.lastError && {
            last: { at: sync.lastError.at.toISOString(), message: sync.lastError.message },
          }),
        },
        canRun,
        logsIn: options.logsIn ?? false,
      };
    },
    async job(name, now) {
      const view = agent.scheduler.view().find((v) => v.spec.name === name);
      if (!view) return null;
      const [row] = await rowsOf([view]);
      const history = (await agent.status.runsOf(name)).reverse();
      return {
        now,
        row: row as JobRow,
        spec: view.spec,
        revision: view.revision,
        history,
        canRun,
      };
    },
    async rows(names) {
      const wanted = new Set(names);
      return rowsOf(agent.scheduler.view().filter((v) => wanted.has(v.spec.name)));
    },
    onChange(listener) {
      const job = (name: string) => listener({ jobs: [name] });
      const offs = [
        agent.scheduler.events.on("tick", (e) => job(e.job)),
        agent.scheduler.events.on("run:launch", (e) => job(e.job)),
        agent.scheduler.events.on("run:recorded", (e) => job(e.summary.job)),
        agent.scheduler.events.on("job:idle", (e) => job(e.job)),
        // Turning late (or failing, or healthy again) moves the row.
        agent.notifier.events.on("health", (e) => job(e.job)),
        agent.events.on("sync:applied", () => listener({ reload: true } as PageChange)),
      ];
      return () => {
        for (const off of offs) off();
      };
    },
  };
}

/** The leading agent as this one knows it, for the page's facts. */
function leaderOf(agent: Agent): PageModel["leader"] {
  const leader = agent.leader();
  return leader && { host: leader.host, pid: leader.pid, self: agent.isLeader() };
}
