// Kubernetes CronJob manifests → drafts: the CronJob's schedule and policies, its Job's retries
// and deadline, and its Pod's first container. Every key with no gitcron equivalent is named in a
// comment, found by walking the manifest, so nothing is dropped silently.

import { isRecord } from "../core/shape.js";
import { cut } from "../jobs/findings.js";
import { OVERLAP_OF, seconds } from "../jobs/pasted.js";
import type { Position, SourceMap } from "../jobs/positions.js";
import { MEMORY_SIZE } from "../jobs/units.js";
import { commentOn, type Draft, issueAt, newDraft, note, type Parsed, setZone } from "./draft.js";
import { fromRobfig } from "./schedule.js";

type Raw = Record<string, unknown>;

const record = (v: unknown): Raw => (isRecord(v) ? v : {});
const shown = (v: unknown): string => cut(typeof v === "string" ? v : JSON.stringify(v));

export interface Manifest {
  value: unknown;
  map: SourceMap;
}

export function kubernetesDrafts(
  manifests: readonly Manifest[],
  file: string,
  options: { timezone?: string | undefined },
): Parsed {
  const parsed: Parsed = { drafts: [], issues: [] };
  for (const { value, map } of manifests) {
    const items =
      isRecord(value) && value.kind === "List" && Array.isArray(value.items)
        ? value.items.map((item, i) => ({ item, path: ["items", i] }))
        : [{ item: value, path: [] as (string | number)[] }];
    for (const { item, path } of items) {
      const at = map.at(path);
      if (!isRecord(item) || item.kind !== "CronJob") {
        const kind = isRecord(item) && typeof item.kind === "string" ? cut(item.kind) : "document";
        parsed.issues.push(
          issueAt(file, at, "warning", {
            rule: "import.kubernetes",
            message: `a ${kind}, not a CronJob: left aside`,
          }),
        );
        continue;
      }
      const result = cronJob(item, { file, at, given: options.timezone }, (p) =>
        map.at([...path, ...p]),
      );
      if ("refused" in result) parsed.issues.push(result.refused);
      else parsed.drafts.push(result);
    }
  }
  return parsed;
}

function cronJob(
  manifest: Raw,
  { file, at, given }: { file: string; at: Position; given: string | undefined },
  where: (path: (string | number)[]) => Position,
): Draft | { refused: ReturnType<typeof issueAt> } {
  const metadata = record(manifest.metadata);
  const name = typeof metadata.name === "string" ? metadata.name : "cronjob";
  const what = `CronJob "${cut(name)}"`;
  const spec = record(manifest.spec);
  const job = record(record(spec.jobTemplate).spec);
  const pod = record(record(job.template).spec);
  const containers = Array.isArray(pod.containers) ? pod.containers.filter(isRecord) : [];
  const container = containers[0];
  const refuse = (path: (string | number)[], message: string, hint: string) => ({
    refused: issueAt(file, where(path), "error", {
      rule: "import.kubernetes",
      message: `${what}: ${message}`,
      hint,
    }),
  });
  if (typeof spec.schedule !== "string")
    return refuse(["spec"], "has no spec.schedule", "add the schedule: five cron fields");
  if (!container || typeof container.image !== "string") {
    return refuse(
      ["spec", "jobTemplate"],
      "has no container with an image",
      "the job's Pod needs spec.jobTemplate.spec.template.spec.containers[0].image",
    );
  }
  const schedule = fromRobfig(spec.schedule, { seconds: false });
  if ("refused" in schedule)
    return { refused: issueAt(file, where(["spec", "schedule"]), "error", schedule.refused) };

  const api = typeof manifest.apiVersion === "string" ? ` (${cut(manifest.apiVersion)})` : "";
  const draft = newDraft(name, { file, at, what }, [
    `Imported by \`gitcron import\` from ${file}:${at.line}, Kubernetes ${what}${api}.`,
  ]);
  const fields = draft.fields;
  fields.schedule = schedule.schedule;
  if (schedule.comment) commentOn(draft, ["schedule"], schedule.comment);
  const timezone = typeof spec.timeZone === "string" ? spec.timeZone : schedule.timezone;
  setZone(
    draft,
    timezone,
    given,
    "with no timeZone, Kubernetes read the schedule in kube-controller-manager's zone",
  );
  fields.image = container.image;
  containerFields(container, pod, draft);
  cronJobPolicies(spec, job, draft);
  metadataFields(metadata, draft);

  if (containers.length > 1) {
    const others = containers.slice(1).map((c) => `"${cut(String(c.name ?? "?"))}"`);
    note(
      draft,
      `the Pod has ${containers.length} containers; only the first, "${cut(String(container.name ?? "?"))}", is imported (a gitcron job runs one container): ${others.join(", ")} left out; make each its own job if it can run alone`,
    );
  }
  unmapped(
    spec,
    [
      "schedule",
      "timeZone",
      "concurrencyPolicy",
      "suspend",
      "startingDeadlineSeconds",
      "jobTemplate",
    ],
    "spec.",
    draft,
  );
  unmapped(job, ["backoffLimit", "activeDeadlineSeconds", "template"], "jobTemplate.spec.", draft);
  unmapped(pod, ["containers", "volumes", "securityContext"], "template.spec.", draft);
  return draft;
}

function cronJobPolicies(spec: Raw, job: Raw, draft: Draft): void {
  const fields = draft.fields;
  const policy = spec.concurrencyPolicy;
  // Allow, Kubernetes' default, has no equivalent: a job's runs never overlap here.
  if (typeof policy === "string" && policy !== "Allow" && OVERLAP_OF[policy]) {
    fields.overlap = OVERLAP_OF[policy];
    commentOn(draft, ["overlap"], `was concurrencyPolicy: ${policy}`);
  } else if (policy !== undefined) {
    note(
      draft,
      `concurrencyPolicy: ${shown(policy)}: gitcron never runs two runs of a job at once; the default, overlap: queue, waits for the running one`,
    );
  }
  const backoffLimit = job.backoffLimit;
  if (typeof backoffLimit === "number" && backoffLimit > 0) {
    fields.retries = { limit: Math.min(backoffLimit, 100), backoff: "10s" };
    commentOn(
      draft,
      ["retries"],
      `was backoffLimit: ${backoffLimit}; Kubernetes waits 10s before the first retry and doubles it, as backoff does here`,
    );
  }
  const timeout = seconds(job.activeDeadlineSeconds);
  if (timeout) {
    fields.timeout = timeout;
    commentOn(draft, ["timeout"], `was activeDeadlineSeconds: ${job.activeDeadlineSeconds}`);
  }
  fields.missed = "run-once";
  commentOn(
    draft,
    ["missed"],
    "Kubernetes starts a run it missed (controller down) when it is back, within startingDeadlineSeconds if set",
  );
  const deadline = seconds(spec.startingDeadlineSeconds);
  if (deadline) {
    fields.startingDeadline = deadline;
    commentOn(
      draft,
      ["startingDeadline"],
      `was startingDeadlineSeconds: ${spec.startingDeadlineSeconds}`,
    );
  }
  if (spec.suspend === true) fields.suspended = true;
}

function containerFields(container: Raw, pod: Raw, draft: Draft): void {
  const fields = draft.fields;
  if (Array.isArray(container.command)) {
    fields.entrypoint = container.command.map(String);
    commentOn(
      draft,
      ["entrypoint"],
      "the container's command (it replaces the image's ENTRYPOINT)",
    );
  }
  if (Array.isArray(container.args)) {
    fields.command = container.args.map(String);
    commentOn(draft, ["command"], "the container's args (they replace the image's CMD)");
  }
  if (typeof container.workingDir === "string") fields.workingDir = container.workingDir;
  if (container.tty === true) fields.tty = true;
  const security = { ...record(pod.securityContext), ...record(container.securityContext) };
  if (typeof security.runAsUser === "number") {
    fields.user =
      typeof security.runAsGroup === "number"
        ? `${security.runAsUser}:${security.runAsGroup}`
        : String(security.runAsUser);
  }
  for (const key of Object.keys(security).filter((k) => k !== "runAsUser" && k !== "runAsGroup"))
    note(
      draft,
      `securityContext.${key}: no gitcron equivalent (the agent's --policy sets what containers may do)`,
    );
  const env = environment(container.env, draft);
  if (Object.keys(env).length > 0) fields.env = env;
  const resources = limits(record(container.resources), draft);
  if (resources) fields.resources = resources;
  const volumes = mounts(container.volumeMounts, pod.volumes, draft);
  if (volumes.length > 0) fields.volumes = volumes;
  unmapped(
    container,
    [
      "name",
      "image",
      "command",
      "args",
      "workingDir",
      "tty",
      "env",
      "resources",
      "volumeMounts",
      "securityContext",
    ],
    "container.",
    draft,
  );
}

function environment(list: unknown, draft: Draft): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const entry of Array.isArray(list) ? list.filter(isRecord) : []) {
    const name = String(entry.name ?? "");
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      note(draft, `env ${shown(name)}: not a valid variable name, left out`);
    } else if (entry.valueFrom === undefined) {
      env[name] = entry.value === undefined ? "" : String(entry.value);
    } else {
      const from = record(entry.valueFrom);
      const secret = record(from.secretKeyRef);
      if (typeof secret.name === "string" && typeof secret.key === "string") {
        const variable = `SECRET_${secret.name}_${secret.key}`
          .toUpperCase()
          .replace(/[^A-Z0-9_]/g, "_");
        env[name] = { fromEnv: variable };
        commentOn(
          draft,
          ["env", name],
          `was Secret "${cut(secret.name)}" key "${cut(secret.key)}": start the agent with ${variable} set to its value (a name its --secret-env allows)`,
        );
      } else {
        const source = Object.keys(from)[0] ?? "valueFrom";
        note(
          draft,
          `env ${name} comes from ${source}: left out; write its value in env: (or { fromEnv: SECRET_… } for a secret)`,
        );
      }
    }
  }
  return env;
}

/** Kubernetes' CPU (`500m`, `2`) and memory (`128Mi`, `1G`, `129e6`) limits. */
function limits(resources: Raw, draft: Draft): Record<string, unknown> | undefined {
  const limit = record(resources.limits);
  const out: Record<string, unknown> = {};
  const cpu = String(limit.cpu ?? "");
  const milli = /^(\d+)m$/.exec(cpu);
  const cores = milli
    ? Number(milli[1]) / 1000
    : /^\d+(\.\d+)?$/.test(cpu)
      ? Number(cpu)
      : undefined;
  if (cores && cores > 0) out.cpus = cores;
  else if (limit.cpu !== undefined)
    note(
      draft,
      `resources.limits.cpu: ${shown(limit.cpu)} is not a number of cores; set resources.cpus`,
    );
  const memory = String(limit.memory ?? "");
  if (MEMORY_SIZE.test(memory)) out.memory = memory;
  else if (/^\d+(\.\d+)?e\d+$/i.test(memory)) out.memory = Number(memory);
  else if (limit.memory !== undefined)
    note(
      draft,
      `resources.limits.memory: ${shown(limit.memory)} has no gitcron unit; set resources.memory`,
    );
  for (const key of Object.keys(limit).filter((k) => k !== "cpu" && k !== "memory"))
    note(draft, `resources.limits.${key}: no gitcron equivalent`);
  if (resources.requests !== undefined)
    note(
      draft,
      `resources.requests ${shown(resources.requests)}: gitcron sets limits only; Docker reserves nothing`,
    );
  return Object.keys(out).length > 0 ? out : undefined;
}

/** hostPath volumes become host folders and claims named Docker volumes; the rest is noted. */
function mounts(volumeMounts: unknown, podVolumes: unknown, draft: Draft): Raw[] {
  const volumes = new Map(
    (Array.isArray(podVolumes) ? podVolumes.filter(isRecord) : []).map((v) => [String(v.name), v]),
  );
  const out: Raw[] = [];
  for (const m of Array.isArray(volumeMounts) ? volumeMounts.filter(isRecord) : []) {
    const volume = volumes.get(String(m.name)) ?? {};
    const path = String(m.mountPath ?? "");
    const readOnly = m.readOnly === true ? { readOnly: true } : {};
    const hostPath = record(volume.hostPath).path;
    const claim = record(volume.persistentVolumeClaim).claimName;
    if (typeof hostPath === "string") out.push({ hostPath, path, ...readOnly });
    else if (typeof claim === "string") {
      out.push({ volume: claim, path, ...readOnly });
      note(
        draft,
        `the claim "${cut(claim)}" at ${cut(path)} is a Docker volume of that name on the agent's host, empty at first`,
      );
    } else {
      const kind = Object.keys(volume).find((k) => k !== "name") ?? "volume";
      note(
        draft,
        `volume "${cut(String(m.name))}" (${kind}) at ${cut(path)}: no gitcron equivalent; put its content in the image or a named volume`,
      );
    }
  }
  return out;
}

function metadataFields(metadata: Raw, draft: Draft): void {
  const labels = record(metadata.labels);
  const plain = Object.entries(labels).filter(([k]) => /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(k));
  if (plain.length > 0)
    draft.fields.labels = Object.fromEntries(plain.map(([k, v]) => [k, String(v)]));
  const dotted = Object.keys(labels).filter((k) => !plain.some(([p]) => p === k));
  if (dotted.length > 0)
    note(
      draft,
      `labels ${dotted.map(cut).join(", ")}: keys with a dot or slash are refused by the agent unless its --allow-label lists them; add them to labels: if it does`,
    );
  unmapped(metadata, ["name", "labels"], "metadata.", draft);
}

/** A note for every key of `object` not in `mapped`. */
function unmapped(object: Raw, mapped: readonly string[], prefix: string, draft: Draft): void {
  for (const [key, value] of Object.entries(object)) {
    if (mapped.includes(key)) continue;
    note(
      draft,
      `${prefix}${key}: ${shown(value)}${WHY[key] ? `: ${WHY[key]}` : ": no gitcron equivalent"}`,
    );
  }
}

const WHY: Readonly<Record<string, string>> = {
  successfulJobsHistoryLimit:
    "every run is recorded on the status branch; the agent's --history sets how many are listed per job",
  failedJobsHistoryLimit:
    "every run is recorded on the status branch; the agent's --history sets how many are listed per job",
  restartPolicy: "a failed run is re-run by retries: (a new container each time)",
  imagePullPolicy: "gitcron pulls an image when it is missing, and always for :latest",
  imagePullSecrets: "the agent pulls with the Docker client's credentials (docker login)",
  namespace: "jobs live in the repository; the agent's --path picks a folder",
  ttlSecondsAfterFinished: "gitcron removes a run's container when it ends",
  parallelism: "a run is one container",
  completions: "a run is one container",
  serviceAccountName:
    "a job gets no API credentials; give it what it needs with env: { fromEnv: SECRET_… }",
};
