// Names derived from the job and the scheduled instant: the engine refuses a
// second container with the same name, which makes it the lock per tick.

const compact = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

export const runIdFor = (job: string, scheduledAt: Date, attempt: number): string =>
  `${job}-${compact(scheduledAt)}-${attempt}`;

export const containerNameFor = (job: string, scheduledAt: Date, attempt: number): string => {
  const base = `gitcron-${job}-${Math.floor(scheduledAt.getTime() / 1000)}`;
  return attempt === 1 ? base : `${base}-${attempt}`;
};

export const LABEL = {
  job: "gitcron.job",
  run: "gitcron.run",
  revision: "gitcron.revision",
  agent: "gitcron.agent",
  scheduledAt: "gitcron.scheduled-at",
  attempt: "gitcron.attempt",
  trigger: "gitcron.trigger",
  /** Comma-separated names of the container's variables that came from `fromEnv`: an adopting
   * agent reads their values from the container to redact its output. Names only, never values. */
  redact: "gitcron.redact",
} as const;
