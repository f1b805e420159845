// `gitcron trigger JOB`: ask a running agent for a manual run over POST /jobs/<name>/run.

import { EnvironmentError } from "../errors.js";
import type { TickAction } from "../scheduler/events.js";
import { AGENT_FLAGS_HELP, type AgentClient, field, runJobAction } from "./agent-client.js";
import { type CliIO, type Command, writeLine } from "./command.js";
import { describeEnd, followLog, printLines, type RunEnd } from "./follow.js";

/** The exit code of `--wait` for a run that never ran (could not start, missed), as `docker
 * run` exits 125 when the container could not be run. */
export const NOT_RUN_EXIT = 125;

const help = `Usage: gitcron trigger JOB [--wait | --follow] [--url URL] [--api-token TOKEN]

Ask a running agent to run JOB now. The run honours the job's overlap: with queue it waits
for a running run, with replace it stops it, with skip it is refused while one is going.
Prints the run id on stdout.

Flags:
  --wait          wait for the run (and its retries) to end, and exit with its exit code
  --follow        --wait, printing the run's output as it comes: its stdout on stdout, its
                  stderr on stderr (control characters shown as \\xNN); the run id and how
                  the run ended go to stderr
${AGENT_FLAGS_HELP}

Exit codes: 0 the run was accepted, 1 no such job or a run is going (overlap: skip),
2 bad flag, the token was refused, or the agent cannot be reached. With --wait or --follow:
the run's exit code, ${NOT_RUN_EXIT} when it never ran (could not start, missed its
startingDeadline), 2 when the agent went away first.
`;

/** What the agent did with the request, when it is more than "started". */
const actionNotes: Partial<Record<TickAction, string>> = {
  queued: "queued: it starts when the running run ends",
  merged: "merged into the run already queued behind the running run",
  replacing: "the running run is being stopped; this run starts when it has ended",
  "waiting-slot": "waiting for a free slot (the agent's --max-parallel)",
};

export const command: Command = {
  name: "trigger",
  summary: "ask a running agent to run a job now",
  help,
  run: (argv, io) =>
    runJobAction(argv, io, {
      command: "trigger",
      action: "run",
      endpoint: "run-now",
      note: (body) => actionNotes[field(body, "action") as TickAction],
      flags: { wait: { type: "boolean" }, follow: { type: "boolean" } },
      stdoutIsOutput: (values) => values.follow === true,
      accepted: ({ job, run, agent, values }) =>
        values.wait || values.follow
          ? waitFor(io, agent, job, run, values.follow === true)
          : Promise.resolve(0),
    }),
};

/** Follows the run until its last attempt ends: its exit code. */
async function waitFor(
  io: Pick<CliIO, "stdout" | "stderr">,
  agent: AgentClient,
  job: string,
  run: string,
  show: boolean,
): Promise<number> {
  let last: RunEnd | undefined;
  await followLog(agent, `jobs/${job}/runs/${encodeURIComponent(run)}/log?follow=1`, {
    ...(show && { line: printLines(io) }),
    dropped: (lines) => {
      if (show)
        writeLine(io.stderr, `gitcron trigger: … ${lines} earlier lines not kept by the agent`);
    },
    end(end) {
      last = end;
      writeLine(
        io.stderr,
        `gitcron trigger: ${describeEnd(end)}${end.final ? "" : "; it is retried"}`,
      );
      return end.final;
    },
  });
  if (!last?.final)
    throw new EnvironmentError(`the agent at ${agent.origin} closed the log before the run ended`);
  return last.exitCode ?? NOT_RUN_EXIT;
}
