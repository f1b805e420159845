// `gitcron logs JOB`: the job's last runs from the status branch (SPEC §9), newest last, each
// with its outcome line and its log tail.

import { EnvironmentError, UsageError } from "../errors.js";
import { DNS_LABEL } from "../jobs/rules.js";
import { readableTime } from "../schedule/cron.js";
import { readLedger, runsOfJob } from "../status/ledger.js";
import { describeRun } from "../status/render.js";
import { visible } from "../text/visible.js";
import { AGENT_FLAGS, AGENT_FLAGS_HELP, jobAndAgent } from "./agent-client.js";
import { type CliIO, type Command, parseFlags, writeLine } from "./command.js";
import { describeEnd, followLog, printLines, UnknownJob } from "./follow.js";
import { READ_FLAGS, READ_HELP, withStatusTip } from "./status-branch.js";

const MAX_COUNT = 1000;

const help = `Usage: gitcron logs JOB [-n 5] [--repo R] [--status-branch B] [--format text|json]
       gitcron logs JOB -f [--url URL] [--api-token TOKEN]

The job's last runs as the agent recorded them on the status branch (only its tip is
fetched), newest last: each run's outcome, exit code, duration and start, then its log tail
(the last 4 KiB of output, secrets redacted).

With -f, asks the running agent instead, and follows the job: the run going on (what the
agent kept of it, then its output as it comes) and every run after it, until interrupted.
Each run starts with a "── RUN started" line and ends with how it ended; its stdout goes to
stdout, its stderr to stderr (control characters shown as \\xNN).

Flags:
  -n, --count N               how many runs (default 5, at most the branch's --history)
${READ_HELP}
  --format text|json          (default text)
  -f, --follow                follow the job on the running agent
${AGENT_FLAGS_HELP}

Exit codes: 0 ok, 1 no such job on the status branch, 2 the repository cannot be read or a
bad flag; with -f, 1 no such job on the agent, 2 the agent cannot be reached or went away.
`;

export const command: Command = {
  name: "logs",
  summary: "a job's last runs and their log tails, from the status branch",
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      ...READ_FLAGS,
      ...AGENT_FLAGS,
      count: { type: "string", short: "n" },
      format: { type: "string" },
      follow: { type: "boolean", short: "f" },
    });
    if (values.follow) return followJob(values, positionals, io);
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? "give a JOB name" : "give exactly one JOB");
    const job = positionals[0] as string;
    if (!DNS_LABEL.test(job)) throw new UsageError(`"${job}" is not a job name (a DNS label)`);
    const count = Number(values.count ?? "5");
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT)
      throw new UsageError(
        `-n must be a whole number from 1 to ${MAX_COUNT}, not "${values.count}"`,
      );
    const format = values.format ?? "text";
    if (format !== "text" && format !== "json")
      throw new UsageError(`--format must be text or json, not "${format}"`);

    const found = await withStatusTip(values, io, async ({ tip, branch, state }) => {
      // The job's view names the journal files of its last runs; newer files are read too.
      const ledger = await readLedger(tip, { jobs: [job], history: MAX_COUNT });
      const view = ledger.views.get(job);
      const active = state && Object.hasOwn(state.jobs, job) ? state.jobs[job] : undefined;
      return {
        branch,
        timezone: active?.timezone,
        runs: view ? await runsOfJob(tip, view, count) : null,
      };
    });
    if (!found.runs) {
      writeLine(
        io.stderr,
        `gitcron logs: no job named "${job}" on the status branch "${found.branch}".`,
      );
      return 1;
    }
    const runs = found.runs.slice(-count);
    if (format === "json") {
      io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    // Times in the job's own zone, to the second.
    const inZone = readableTime(found.timezone);
    runs.forEach((r, i) => {
      if (i > 0) writeLine(io.stdout);
      const when = r.startedAt ? `started ${inZone(r.startedAt)}` : `due ${inZone(r.scheduledAt)}`;
      // Every field comes from the branch, which anyone who can push the repository can write.
      writeLine(
        io.stdout,
        visible(`── ${r.run}  ${describeRun(r).slice(r.job.length + 2)}  ${when}  ${r.trigger}`),
      );
      if (r.reason) writeLine(io.stdout, `   ${visible(r.reason, true)}`);
      if (r.logTail) writeLine(io.stdout, visible(r.logTail, true));
    });
    return 0;
  },
};

/** `gitcron logs JOB -f`: the job's runs on the running agent, as they come, until interrupted
 * or the agent goes away. */
async function followJob(
  values: {
    url?: string | undefined;
    "api-token"?: string | undefined;
    token?: string | undefined;
  },
  positionals: string[],
  io: CliIO,
): Promise<number> {
  const { job, agent } = jobAndAgent(values, positionals, io);
  try {
    await followLog(agent, `jobs/${job}/log?follow=1`, {
      start: (run) => writeLine(io.stdout, visible(`── ${run} started`)),
      line: printLines(io),
      dropped: (lines) => writeLine(io.stdout, `── … ${lines} earlier lines not kept by the agent`),
      end: (end) => {
        writeLine(io.stdout, `── ${describeEnd(end)}`);
        return false;
      },
    });
  } catch (err) {
    if (err instanceof UnknownJob) {
      writeLine(io.stderr, `gitcron logs: ${err.message}.`);
      return 1;
    }
    throw err;
  }
  throw new EnvironmentError(`the agent at ${agent.origin} closed the log`);
}
