// Ofelia's jobs, from its INI file or its container labels, → drafts. A `job-run` (and a
// `job-service-run`, which the agent's --runtime swarm runs the same way) starts a new container
// from an image, as a gitcron job does; `job-exec` (into a running container) and `job-local`
// (on Ofelia's host) have no equivalent and are refused, each with what to do.

import { cut } from "../jobs/findings.js";
import type { Position } from "../jobs/positions.js";
import { durationAsWritten } from "../text/duration.js";
import { commentOn, type Draft, issueAt, newDraft, note, type Parsed, setZone } from "./draft.js";
import { fromRobfig, goDurationMs } from "./schedule.js";

export interface OfeliaParam {
  values: string[];
  at: Position;
}

/** One `[type "name"]` section, or the labels of one job; `global` for Ofelia's own settings. */
export interface OfeliaSection {
  type: string;
  name: string;
  at: Position;
  /** Keys lowercase. */
  params: Map<string, OfeliaParam>;
}

const MIDDLEWARE = /^(slack-|email-|mail-|smtp-|save-)/;
const MIDDLEWARE_NOTE =
  "Ofelia's mail, Slack and save middlewares: gitcron sends failure, recovery and late notifications to the agent's --notify targets (webhook, Slack, mail; docs/notifications.md), and every run is recorded on the status branch";

const REFUSED: Readonly<Record<string, { message: string; hint: string }>> = {
  "job-exec": {
    message: "runs its command inside a running container; gitcron has no equivalent",
    hint: "gitcron runs each job in a new container: rewrite it as a job with that container's image and the volumes it needs, or keep it in Ofelia",
  },
  "job-local": {
    message: "runs its command on Ofelia's host; gitcron has no equivalent",
    hint: "gitcron runs each job in a container: put the command in an image, with the host folders it needs as hostPath volumes",
  },
};

export function ofeliaDrafts(
  sections: readonly OfeliaSection[],
  file: string,
  from: string,
  options: { timezone?: string | undefined },
): Parsed {
  const parsed: Parsed = { drafts: [], issues: [] };
  const globals = sections.filter((s) => s.type === "global");
  for (const section of sections) {
    if (section.type === "global" || section.type === "docker") continue;
    const what = `${section.type} "${cut(section.name)}"`;
    const refusal = REFUSED[section.type];
    if (refusal || (section.type !== "job-run" && section.type !== "job-service-run")) {
      parsed.issues.push(
        issueAt(file, section.at, "error", {
          rule: "import.ofelia",
          message: `${what} ${refusal?.message ?? "is not a kind of Ofelia job gitcron knows"}: not imported`,
          hint:
            refusal?.hint ?? "Ofelia's jobs are job-run, job-service-run, job-exec and job-local",
        }),
      );
      continue;
    }
    const result = ofeliaJob(section, globals, { file, what, from, timezone: options.timezone });
    if ("refused" in result) parsed.issues.push(result.refused);
    else parsed.drafts.push(result);
  }
  return parsed;
}

function ofeliaJob(
  section: OfeliaSection,
  globals: readonly OfeliaSection[],
  context: { file: string; what: string; from: string; timezone: string | undefined },
): Draft | { refused: ReturnType<typeof issueAt> } {
  const { file, what } = context;
  const params = new Map(section.params);
  const take = (key: string): OfeliaParam | undefined => {
    const param = params.get(key);
    params.delete(key);
    return param;
  };
  const last = (param: OfeliaParam | undefined) => param?.values[param.values.length - 1];
  const refuse = (at: Position, message: string, hint: string) => ({
    refused: issueAt(file, at, "error", {
      rule: "import.ofelia",
      message: `${what}: ${message}`,
      hint,
    }),
  });

  const schedule = take("schedule");
  const image = take("image");
  const container = take("container");
  if (!last(schedule)) return refuse(section.at, "has no schedule", "add schedule = … to it");
  if (!last(image)) {
    return container
      ? refuse(
          container.at,
          `starts the existing container "${cut(last(container) ?? "")}"; gitcron runs a new container from an image each time`,
          "add image = (the container's image) and the settings it was created with",
        )
      : refuse(section.at, "has no image", "add image = … (the image to run the command in)");
  }
  const converted = fromRobfig(last(schedule) as string, { seconds: true });
  if ("refused" in converted)
    return { refused: issueAt(file, schedule?.at ?? section.at, "error", converted.refused) };

  const draft = newDraft(section.name, { file, at: section.at, what }, [
    `Imported by \`gitcron import\` from ${file}:${section.at.line}, Ofelia's ${what} (${context.from}).`,
  ]);
  const fields = draft.fields;
  fields.schedule = converted.schedule;
  if (converted.seconds) fields.seconds = true;
  if (converted.comment) commentOn(draft, ["schedule"], converted.comment);
  setZone(
    draft,
    converted.timezone,
    context.timezone,
    "Ofelia read the schedule in its container's zone (TZ)",
  );
  fields.image = last(image);
  const entrypoint = last(take("entrypoint"));
  if (entrypoint) fields.entrypoint = entrypoint;
  const command = last(take("command"));
  if (command) fields.command = command;
  const user = last(take("user"));
  if (user) fields.user = user;
  const network = last(take("network"));
  if (network) fields.network = network;
  const env = [...(take("environment")?.values ?? []), ...(take("env")?.values ?? [])].flatMap(
    list,
  );
  if (env.length > 0) fields.env = environment(env, draft);
  const volumes = (take("volume")?.values ?? []).flatMap(list).flatMap((v) => mount(v, draft));
  if (volumes.length > 0) fields.volumes = volumes;
  const maxRuntime = last(take("max-runtime"));
  const ms = maxRuntime === undefined ? undefined : goDurationMs(maxRuntime);
  if (ms) fields.timeout = durationAsWritten(ms);
  else if (maxRuntime)
    note(draft, `max-runtime = ${cut(maxRuntime)}: not a duration; set timeout:`);
  const noOverlap = last(take("no-overlap"));
  if (noOverlap === "true") {
    fields.overlap = "skip";
    commentOn(draft, ["overlap"], "was no-overlap = true");
  } else {
    note(
      draft,
      "Ofelia starts a run even while the last one is going (unless no-overlap); gitcron never runs two at once: the default, overlap: queue, waits",
    );
  }
  if (last(take("tty")) === "true") {
    fields.tty = true;
    commentOn(draft, ["tty"], "was tty = true: one stream, in the order written");
  }
  if (section.type === "job-service-run")
    note(
      draft,
      "a job-service-run ran as a Swarm service: run the agent with --runtime swarm to do the same",
    );
  remaining(params, draft);
  for (const global of globals) remaining(global.params, draft, "[global] ");
  return draft;
}

/** Every setting not mapped above gets its note. */
function remaining(params: Map<string, OfeliaParam>, draft: Draft, prefix = ""): void {
  let middleware = false;
  for (const [key, param] of params) {
    const value = cut(param.values.join(", "));
    if (MIDDLEWARE.test(key)) middleware = true;
    else if (key === "delete" && value !== "false") continue;
    else if (key === "delete")
      note(draft, `${prefix}delete = false: gitcron always removes a run's container when it ends`);
    else if (key === "pull")
      note(
        draft,
        `${prefix}pull = ${value}: gitcron pulls an image when it is missing, and always for :latest`,
      );
    else note(draft, `${prefix}${key} = ${value}: no gitcron equivalent`);
  }
  if (middleware && !draft.notes.includes(MIDDLEWARE_NOTE)) note(draft, MIDDLEWARE_NOTE);
}

/** A label's list is a JSON array (`["FOO=bar", "BAZ=qux"]`); an INI key is repeated. */
function list(value: string): string[] {
  if (!value.trim().startsWith("[")) return [value];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [value];
  } catch {
    return [value];
  }
}

function environment(entries: readonly string[], draft: Draft): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || eq < 0) {
      note(draft, `env ${cut(entry)}: not NAME=value, left out`);
      continue;
    }
    env[name] = entry.slice(eq + 1);
  }
  return env;
}

/** `docker run -v`'s `source:target[:options]`: a path is a host folder, a name a volume. */
function mount(spec: string, draft: Draft): Record<string, unknown>[] {
  const [source = "", path, options = ""] = spec.split(":");
  if (!path) {
    note(
      draft,
      `volume = ${cut(spec)}: an anonymous volume; gitcron mounts named volumes and host folders`,
    );
    return [];
  }
  const readOnly = options.split(",").includes("ro");
  if (!source.startsWith("/")) return [{ volume: source, path, ...(readOnly && { readOnly }) }];
  return [{ hostPath: source, path, ...(readOnly && { readOnly }) }];
}
