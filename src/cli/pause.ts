// `gitcron pause JOB --for 2h` and `gitcron resume JOB`: the emergency switch without a commit,
// over POST /jobs/<name>/pause and /resume of a running agent.

import { UsageError } from "../errors.js";
import { parseDuration } from "../text/duration.js";
import { AGENT_FLAGS_HELP, field, runJobAction } from "./agent-client.js";
import type { Command } from "./command.js";

const pauseHelp = `Usage: gitcron pause JOB --for DURATION [--url URL] [--api-token TOKEN]

Pause JOB on a running agent without a commit: it starts no scheduled run until the pause
ends (ticks in between are not run, and not counted as missed). A run going on goes on (gitcron
stop ends it); a manual run (gitcron trigger) still starts. The pause is kept in the agent's
data folder, survives a restart, is shown on the status page, in gitcron status and on the
status branch, and is noted in every notification while it lasts. At most 30d: to stop a job
for good, set suspended: true in its file. Prints when the pause ends.

Flags:
  --for DURATION  how long: 30m, 2h, 1d
${AGENT_FLAGS_HELP}

Exit codes: 0 paused, 1 no such job, 2 bad flag, the token was refused, or the agent cannot be
reached.
`;

const resumeHelp = `Usage: gitcron resume JOB [--url URL] [--api-token TOKEN]

End JOB's pause (gitcron pause) on a running agent: its scheduled runs start again from its
next tick.

Flags:
${AGENT_FLAGS_HELP}

Exit codes: 0 resumed, 1 no such job or it is not paused, 2 bad flag, the token was refused, or
the agent cannot be reached.
`;

export const pause: Command = {
  name: "pause",
  summary: "pause a job on a running agent for a while, without a commit",
  help: pauseHelp,
  run: (argv, io) =>
    runJobAction(argv, io, {
      command: "pause",
      action: "pause",
      endpoint: "pause",
      flags: { for: { type: "string" } },
      path(values) {
        const given = values.for;
        if (typeof given !== "string")
          throw new UsageError("give how long with --for, e.g. --for 2h");
        try {
          parseDuration(given);
        } catch (err) {
          throw new UsageError(`--for: ${(err as Error).message}`);
        }
        return `pause?for=${encodeURIComponent(given)}`;
      },
      printed: (body) => field(body, "pausedUntil"),
    }),
};

export const resume: Command = {
  name: "resume",
  summary: "end a job's pause on a running agent",
  help: resumeHelp,
  run: (argv, io) =>
    runJobAction(argv, io, {
      command: "resume",
      action: "resume",
      endpoint: "resume",
      printed: () => undefined,
    }),
};
