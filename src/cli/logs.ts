// `gitcron logs JOB`: the job's last runs from the status branch (SPEC §9), newest last, each
// with its outcome line and its log tail.

import { UsageError } from "../errors.js";
import { DNS_LABEL } from "../jobs/rules.js";
import { readableTime } from "../schedule/cron.js";
import { readLedger, runsOfJob } from "../status/ledger.js";
import { describeRun } from "../status/render.js";
import { visible } from "../text/visible.js";
import { type Command, parseFlags, writeLine } from "./command.js";
import { READ_FLAGS, READ_HELP, withStatusTip } from "./status-branch.js";

const MAX_COUNT = 1000;

const help = `Usage: gitcron logs JOB [-n 5] [--repo R] [--status-branch B] [--format text|json]

The job's last runs as the agent recorded them on the status branch (only its tip is
fetched), newest last: each run's outcome, exit code, duration and start, then its log tail
(the last 4 KiB of output, secrets redacted).

Flags:
  -n, --count N               how many runs (default 5, at most the branch's --history)
${READ_HELP}
  --format text|json          (default text)

Exit codes: 0 ok, 1 no such job on the status branch, 2 the repository cannot be read or a
bad flag.
`;

export const command: Command = {
  name: "logs",
  summary: "a job's last runs and their log tails, from the status branch",
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      ...READ_FLAGS,
      count: { type: "string", short: "n" },
      format: { type: "string" },
    });
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
