// `gitcron trigger JOB`: ask a running agent for a manual run over POST /jobs/<name>/run.

import type { TickAction } from "../scheduler/events.js";
import { AGENT_FLAGS_HELP, field, runJobAction } from "./agent-client.js";
import type { Command } from "./command.js";

const help = `Usage: gitcron trigger JOB [--url URL] [--api-token TOKEN]

Ask a running agent to run JOB now. The run honours the job's overlap: with queue it waits
for a running run, with replace it stops it, with skip it is refused while one is going.
Prints the run id on stdout.

Flags:
${AGENT_FLAGS_HELP}

Exit codes: 0 the run was accepted, 1 no such job or a run is going (overlap: skip),
2 bad flag, the token was refused, or the agent cannot be reached.
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
    }),
};
