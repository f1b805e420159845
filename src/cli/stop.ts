// `gitcron stop JOB`: ask a running agent to stop the job's running run over
// POST /jobs/<name>/stop. The run is recorded as `stopped`.

import { AGENT_FLAGS_HELP, runJobAction } from "./agent-client.js";
import type { Command } from "./command.js";

const help = `Usage: gitcron stop JOB [--url URL] [--api-token TOKEN]

Ask a running agent to stop JOB's running run: SIGTERM, then SIGKILL after the agent's grace
period, as a timeout does. The run is recorded as stopped; it is not retried and sends no
failure notification. A run queued behind it (overlap: queue) starts then. Prints the
stopped run's id on stdout.

Flags:
${AGENT_FLAGS_HELP}

Exit codes: 0 the run is being stopped, 1 no such job or no run of it is going, 2 bad flag,
the token was refused, or the agent cannot be reached.
`;

export const command: Command = {
  name: "stop",
  summary: "ask a running agent to stop a job's running run",
  help,
  run: (argv, io) => runJobAction(argv, io, { command: "stop", action: "stop", endpoint: "stop" }),
};
