// A job that passed every rule, turned into the JobSpec the rest of gitcron works on:
// words split, durations in milliseconds, defaults filled in.

import { parseDuration } from "../text/duration.js";
import {
  type EnvValue,
  type JobSpec,
  type MissedPolicy,
  NOTIFY_EVENTS,
  type NotifyEvent,
  type Overlap,
  type Placement,
  type VolumeMount,
} from "./spec.js";
import { parseMemory } from "./units.js";
import { splitWords } from "./words.js";

type Raw = Record<string, unknown>;

export interface NormalizeContext {
  name: string;
  file: string;
  defaultTimezone: string;
}

const words = (value: unknown): string[] | undefined => {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  const split = splitWords(String(value));
  return split.ok ? split.words : undefined;
};

const optionalMs = (value: unknown): number | undefined =>
  typeof value === "string" ? parseDuration(value) : undefined;

/** Only for a job already checked by the schema and the rules. */
export function normalizeJob(job: Raw, context: NormalizeContext): JobSpec {
  const spec: JobSpec = {
    name: context.name,
    file: context.file,
    schedule: String(job.schedule).trim(),
    timezone: typeof job.timezone === "string" ? job.timezone : context.defaultTimezone,
    image: String(job.image),
    env: normalizeEnv(job.env as Raw | undefined),
    volumes: ((job.volumes as Raw[] | undefined) ?? []).map(normalizeMount),
    overlap: (job.overlap as Overlap | undefined) ?? "queue",
    retries: normalizeRetries(job.retries as Raw | undefined),
    missed: (job.missed as MissedPolicy | undefined) ?? "skip",
    suspended: job.suspended === true,
    labels: Object.fromEntries(
      Object.entries((job.labels as Raw | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    notifyOn: normalizeNotify(job.notify),
  };
  const entrypoint = words(job.entrypoint);
  if (entrypoint) spec.entrypoint = entrypoint;
  const command = words(job.command);
  if (command) spec.command = command;
  if (typeof job.workingDir === "string") spec.workingDir = job.workingDir;
  if (job.user !== undefined) spec.user = String(job.user);
  const resources = normalizeResources(job.resources as Raw | undefined);
  if (resources) spec.resources = resources;
  if (typeof job.network === "string") spec.network = job.network;
  if (job.tty === true) spec.tty = true;
  const timeoutMs = optionalMs(job.timeout);
  if (timeoutMs !== undefined) spec.timeoutMs = timeoutMs;
  const startingDeadlineMs = optionalMs(job.startingDeadline);
  if (startingDeadlineMs !== undefined) spec.startingDeadlineMs = startingDeadlineMs;
  if (job.placement) spec.placement = normalizePlacement(job.placement as Raw);
  if (typeof job.expectSuccessWithin === "string")
    spec.expectSuccessWithin =
      job.expectSuccessWithin === "auto"
        ? { auto: true }
        : { ms: parseDuration(job.expectSuccessWithin) };
  return spec;
}

function normalizeEnv(env: Raw | undefined): Record<string, EnvValue> {
  const out: Record<string, EnvValue> = {};
  for (const [key, value] of Object.entries(env ?? {})) {
    out[key] =
      value && typeof value === "object"
        ? { fromEnv: String((value as Raw).fromEnv) }
        : { value: String(value) };
  }
  return out;
}

function normalizeNotify(notify: unknown): NotifyEvent[] {
  if (notify === false) return [];
  const on = (notify as Raw | undefined)?.on;
  return Array.isArray(on) ? NOTIFY_EVENTS.filter((e) => on.includes(e)) : [...NOTIFY_EVENTS];
}

function normalizeMount(mount: Raw): VolumeMount {
  const readOnly = mount.readOnly === true;
  const path = String(mount.path);
  return typeof mount.hostPath === "string"
    ? { kind: "hostPath", hostPath: mount.hostPath, path, readOnly }
    : { kind: "volume", volume: String(mount.volume), path, readOnly };
}

function normalizeRetries(retries: Raw | undefined): JobSpec["retries"] {
  return {
    limit: typeof retries?.limit === "number" ? retries.limit : 0,
    backoffMs: optionalMs(retries?.backoff) ?? 0,
  };
}

function normalizeResources(resources: Raw | undefined): JobSpec["resources"] | undefined {
  if (!resources) return undefined;
  const out: NonNullable<JobSpec["resources"]> = {};
  if (typeof resources.cpus === "number") out.cpus = resources.cpus;
  if (resources.memory !== undefined)
    out.memoryBytes = parseMemory(resources.memory as string | number);
  return out;
}

function normalizePlacement(placement: Raw): Placement {
  return {
    constraints: ((placement.constraints as string[] | undefined) ?? []).slice(),
    preferences: ((placement.preferences as { spread: string }[] | undefined) ?? []).map((p) => ({
      spread: p.spread,
    })),
  };
}
