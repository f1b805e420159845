// Configs pasted from the tools people move from: a Kubernetes CronJob manifest, a Compose file
// with Ofelia labels, supercronic's crontab line, and their spellings of our fields
// (`concurrencyPolicy: Forbid`, `no-overlap`, `environment`, `retries: 3`). Each is told, in
// one finding, what to write instead; without this a CronJob manifest got six errors that all
// said the same thing and none of them how to fix it.

import { isRecord } from "../core/shape.js";
import { durationAsWritten } from "../text/duration.js";
import { cut, type Finding } from "./findings.js";
import type { PathSegment } from "./positions.js";

type Raw = Record<string, unknown>;

const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
/** A value from the file as YAML would show it, quoted when it holds spaces or starts with a
 * digit or a symbol, and cut like any excerpt (SPEC §4: at most 40 characters of a file). */
const yamlValue = (v: unknown): string => {
  const text = cut(String(v));
  return typeof v === "string" && /^[A-Za-z][\w./:@-]*$/.test(v) ? text : JSON.stringify(text);
};
/** Whole seconds as a duration (`600` → `10m`); undefined for anything else. */
export const seconds = (v: unknown): string | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v > 0
    ? durationAsWritten(v * 1000)
    : undefined;

/** Kubernetes' concurrencyPolicy (and our own values, as people capitalise them). */
export const OVERLAP_OF: Readonly<Record<string, string>> = {
  Forbid: "skip",
  Replace: "replace",
  Allow: "queue",
};
const ALLOW_NOTE = "gitcron never runs two at once; the default, queue, waits";

/** A whole document that is another tool's format: one finding, on the key that shows it. */
export function pastedDocument(data: Raw): { path: PathSegment[]; finding: Finding } | undefined {
  if (typeof data.apiVersion === "string" && typeof data.kind === "string") {
    return { path: ["kind"], finding: kubernetesManifest(data) };
  }
  if (isRecord(data.services) && data.schedule === undefined && data.image === undefined) {
    return { path: ["services"], finding: composeFile(data.services) };
  }
  return undefined;
}

function kubernetesManifest(manifest: Raw): Finding {
  const kind = String(manifest.kind);
  const message = `this is a Kubernetes ${kind} manifest, not a gitcron job file`;
  if (kind !== "CronJob") {
    return {
      rule: "format.kubernetes",
      message,
      hint: "a job file is flat, one job per file: schedule: and image: at the top level, see docs/job-format.md",
    };
  }
  const spec = get(manifest, "spec");
  const job = get(spec, "jobTemplate", "spec");
  const containers = get(job, "template", "spec", "containers");
  const container = Array.isArray(containers) ? containers[0] : undefined;
  const write: string[] = [];
  const add = (field: string, value: unknown, from?: string) => {
    if (value !== undefined) write.push(`${field}: ${value}${from ? ` (${from})` : ""}`);
  };
  const shown = (v: unknown) => (v === undefined ? undefined : yamlValue(v));
  add("schedule", shown(get(spec, "schedule")));
  add("timezone", shown(get(spec, "timeZone")));
  add("image", shown(get(container, "image")));
  const policy = get(spec, "concurrencyPolicy");
  if (typeof policy === "string" && OVERLAP_OF[policy]) {
    add("overlap", OVERLAP_OF[policy], `concurrencyPolicy: ${policy}`);
  }
  add("startingDeadline", seconds(get(spec, "startingDeadlineSeconds")));
  if (get(spec, "suspend") === true) add("suspended", "true");
  const backoff = get(job, "backoffLimit");
  if (typeof backoff === "number" && backoff > 0) add("retries", `{ limit: ${backoff} }`);
  add("timeout", seconds(get(job, "activeDeadlineSeconds")));
  const notes = ["the container's command is entrypoint, its args command"];
  const env = get(container, "env");
  if (Array.isArray(env) && env.some((e) => get(e, "valueFrom") !== undefined)) {
    notes.push("a value from a Secret is { fromEnv: SECRET_… }, read from the agent");
  }
  if (Array.isArray(containers) && containers.length > 1) notes.push("one container per job");
  return {
    rule: "format.kubernetes",
    message,
    hint: `write one flat job file: ${write.join(", ")}; ${notes.join("; ")}`,
  };
}

function composeFile(services: Raw): Finding {
  const ofelia = Object.values(services).some((service) => {
    const labels = get(service, "labels");
    const keys = Array.isArray(labels)
      ? labels.map(String)
      : Object.keys(isRecord(labels) ? labels : {});
    return keys.some((k) => k.startsWith("ofelia.job-run."));
  });
  return {
    rule: "format.compose",
    message: "this is a Docker Compose file, not a gitcron job file",
    hint: ofelia
      ? "give each Ofelia job-run a job file of its own: its schedule (Ofelia's six fields are seconds first: add seconds: true), image and command at the top level"
      : "a job file is one job: the service's image, command and environment (as env) at the top level, with a schedule:",
  };
}

/** What another tool's top-level field is called here, given its value. */
export function pastedField(key: string, value: unknown): Finding | undefined {
  const hint = pastedFieldHint(key, value);
  return hint ? { rule: "schema.unknown", message: `unknown field "${key}"`, hint } : undefined;
}

function pastedFieldHint(key: string, value: unknown): string | undefined {
  switch (key) {
    case "concurrencyPolicy": {
      const overlap = typeof value === "string" ? OVERLAP_OF[value] : undefined;
      if (value === "Allow") return `write overlap: queue (${ALLOW_NOTE})`;
      return overlap
        ? `write overlap: ${overlap} (Kubernetes' concurrencyPolicy: ${value})`
        : "write overlap: queue, skip (Kubernetes' Forbid) or replace";
    }
    case "no-overlap":
      return value === true || value === "true"
        ? "write overlap: skip (Ofelia's no-overlap)"
        : "write overlap: queue, skip (Ofelia's no-overlap) or replace";
    case "startingDeadlineSeconds":
      return `write startingDeadline: ${seconds(value) ?? "10m"}`;
    case "activeDeadlineSeconds":
      return `write timeout: ${seconds(value) ?? "1h"}`;
    case "backoffLimit":
      return `write retries: { limit: ${typeof value === "number" ? value : 2} }`;
    case "suspend":
      return `write suspended: ${value === true ? "true" : "false"}`;
    case "successfulJobsHistoryLimit":
    case "failedJobsHistoryLimit":
      return "every run is kept on the status branch; the agent's --history sets how many are listed per job";
    case "environment":
      return "write env: a mapping of names to values (env: { LEVEL: info })";
    case "args":
      return "write command: Kubernetes' args are the command, its command is entrypoint";
    case "container_name":
      return "write name: (a DNS label; default the file's base name)";
    case "mem_limit":
    case "memory":
      return `write resources: { memory: ${memoryOf(value)} }`;
    case "cpus":
      return `write resources: { cpus: ${typeof value === "number" ? value : 0.5} }`;
    case "restart":
    case "restartPolicy":
      return "write retries: { limit: 2, backoff: 30s } to re-run a failed run";
    case "volume":
      return "write volumes: a list of { volume: NAME, path: /in/container } or { hostPath: /on/host, path: … }";
    case "delete":
      return "gitcron always removes a run's container when it ends";
    default:
      return undefined;
  }
}

/** Compose's and Docker's 256m is 256 MiB: the job format's 256M would be 256 MB. */
function memoryOf(value: unknown): string {
  const m = /^(\d+)([bkmg])?$/i.exec(String(value ?? "").trim());
  if (!m || (m[1] ?? "").length > 12) return "256Mi";
  const unit = { b: "", k: "Ki", m: "Mi", g: "Gi" }[(m[2] ?? "b").toLowerCase()] ?? "";
  return `${m[1]}${unit}`;
}

/** A value close to an allowed one, or another tool's name for one (`Forbid`, `Skip`). */
export function enumHint(
  field: PathSegment | undefined,
  value: unknown,
  allowed: readonly string[],
): string | undefined {
  if (typeof value !== "string") return undefined;
  // A list item (notify.on[0]) has no field name of its own to write.
  const named = typeof field === "string" && !/^\d+$/.test(field);
  const write = (v: string) => (named ? `write ${field}: ${v}` : `write ${v}`);
  if (field === "overlap" && OVERLAP_OF[value]) {
    return value === "Allow"
      ? `${write("queue")} (${ALLOW_NOTE})`
      : `${write(OVERLAP_OF[value])} (Kubernetes' concurrencyPolicy: ${value})`;
  }
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");
  const same = allowed.find((a) => squash(a) === squash(value));
  return same ? `${write(same)} (values are lowercase)` : undefined;
}

/** A field given another tool's shape: `retries: 3`, env as a list, a compose volume string. */
export function typeHint(path: readonly PathSegment[], value: unknown): string | undefined {
  const [field, index] = path;
  const crontab = /^((?:\S+\s+){4}\S+)\s+\S/.exec(typeof value === "string" ? value : "");
  if (path.length === 0 && crontab) {
    const schedule = JSON.stringify(cut((crontab[1] as string).replace(/\s+/g, " ")));
    return `a crontab line is not a job file: write schedule: ${schedule}, image: (what to run it in) and command: (the rest of the line), each on a line of its own`;
  }
  if (path.length === 1 && field === "retries" && typeof value === "number") {
    return `write retries: { limit: ${value} } (and backoff: 30s to wait between attempts)`;
  }
  if (path.length === 1 && field === "env" && Array.isArray(value)) {
    const first = value[0];
    const name = isRecord(first) ? first.name : String(first ?? "").split("=")[0];
    const example = typeof name === "string" && /^[A-Za-z_]\w*$/.test(name) ? cut(name) : "NAME";
    return `env is a mapping of names to values: env: { ${example}: … }, or ${example}: { fromEnv: SECRET_… } for a secret`;
  }
  if (path.length === 2 && field === "volumes" && typeof index !== "undefined") {
    if (typeof value !== "string") return undefined;
    const [source = "", target = "/data", mode] = value.split(":");
    const readOnly = mode === "ro" ? ", readOnly: true" : "";
    const from = source.startsWith("/")
      ? `hostPath: ${cut(source)}`
      : `volume: ${cut(source) || "NAME"}`;
    return `write - { ${from}, path: ${cut(target)}${readOnly} }`;
  }
  return undefined;
}
