// The command table. Each command lives in its own file and is loaded on demand,
// so `gitcron validate` never loads dockerode.

import type { Command } from "./command.js";

interface Entry {
  summary: string;
  load: () => Promise<{ command: Command }>;
}

export const commandTable: Record<string, Entry> = {
  validate: { summary: "validate job files or folders", load: () => import("./validate.js") },
  plan: { summary: "show what the agent would change", load: () => import("./plan.js") },
  next: {
    summary: "print the next fire times of a schedule or job",
    load: () => import("./next.js"),
  },
  run: { summary: "run one job once now, in the foreground", load: () => import("./run.js") },
  agent: { summary: "the long-running agent", load: () => import("./agent.js") },
  status: {
    summary: "each job's last outcome and next run, from the status branch",
    load: () => import("./status.js"),
  },
  logs: {
    summary: "a job's last runs and their log tails, from the status branch",
    load: () => import("./logs.js"),
  },
  trigger: { summary: "ask a running agent to run a job now", load: () => import("./trigger.js") },
  stop: {
    summary: "ask a running agent to stop a job's running run",
    load: () => import("./stop.js"),
  },
  pause: {
    summary: "pause a job on a running agent for a while, without a commit",
    load: async () => ({ command: (await import("./pause.js")).pause }),
  },
  resume: {
    summary: "end a job's pause on a running agent",
    load: async () => ({ command: (await import("./pause.js")).resume }),
  },
  import: {
    summary: "convert a crontab, Ofelia's config or Kubernetes CronJobs into job files",
    load: () => import("./import.js"),
  },
  schema: { summary: "print the job file JSON Schema", load: () => import("./schema.js") },
};

export async function loadCommand(name: string): Promise<Command | undefined> {
  const entry = Object.hasOwn(commandTable, name) ? commandTable[name] : undefined;
  return entry ? (await entry.load()).command : undefined;
}
