// Named volumes a run may mount (SPEC §4): the ones gitcron created for this agent — a missing
// one is created on first use as `gitcron-<agent id>-<name>`, labelled with the agent's id — and
// existing ones the operator shares on purpose with --allow-volume. Any other volume (another
// application's, another agent's, the agent's own data volume) is refused: mounting it would
// hand the job that application's data, or the agent's. The namespace keeps a job from claiming
// a name another application creates later (the engine would hand it the job's volume).

import type { JobSpec } from "../jobs/spec.js";
import { matchesGlob } from "../text/glob.js";
import type { EngineClient } from "./engine.js";
import { LABEL, shortDigest } from "./names.js";

interface Volume {
  Name: string;
  Labels: Record<string, string> | null;
}

/** Why the volume may not be mounted by `agent`'s runs, or undefined when it may. */
export function volumeRefusal(
  volume: Volume,
  agent: string,
  allowVolume: readonly string[],
): string | undefined {
  if (volume.Labels?.[LABEL.agent] === agent) return undefined;
  if (matchesGlob(volume.Name, allowVolume)) return undefined;
  const owner = volume.Labels?.[LABEL.agent];
  const whose = owner ? `another gitcron agent's (${owner})` : "not one gitcron created";
  return `volume ${volume.Name} exists and is ${whose}; a job may mount only its agent's own volumes, or ones the agent's --allow-volume names`;
}

/** The labels gitcron gives a volume it creates for a job of `agent`. */
export const volumeLabels = (agent: string, job: string): Record<string, string> => ({
  [LABEL.agent]: agent,
  [LABEL.job]: job,
});

/** The engine's longest volume name: the local driver makes a folder of it. */
const MAX_VOLUME_NAME = 255;

/** The name the agent creates a job's volume `name` under. A name too long for the engine
 * keeps its start and ends in a hash of the whole. */
export function namespacedVolume(agent: string, name: string): string {
  const full = `gitcron-${agent}-${name}`;
  if (full.length <= MAX_VOLUME_NAME) return full;
  const hash = shortDigest(name);
  return `${full.slice(0, MAX_VOLUME_NAME - hash.length - 1)}-${hash}`;
}

/** The volume named `name`, or null when the engine has none. */
async function inspectVolume(client: EngineClient, name: string): Promise<Volume | null> {
  const volume = await client.call<Volume | null>("GET", `/volumes/${encodeURIComponent(name)}`, {
    alsoOk: [404],
  });
  return volume && typeof volume === "object" && "Name" in volume ? volume : null;
}

/** The engine's name of the job's volume `name`: one --allow-volume names, as it is; else the
 * agent's own under its namespace; else, so no job loses its data on upgrade, one the agent
 * made under the plain name before volumes had a namespace (labelled with its id); else a new
 * one under the namespace. Refuses a plain-name volume that is someone else's, naming it: the
 * job most likely meant that volume. */
async function claimVolume(
  client: EngineClient,
  name: string,
  job: string,
  agent: string,
  allowVolume: readonly string[],
): Promise<string> {
  const namespaced = namespacedVolume(agent, name);
  let target = namespaced;
  if (matchesGlob(name, allowVolume)) target = name;
  else if (!(await inspectVolume(client, namespaced))) {
    const plain = await inspectVolume(client, name);
    if (plain) {
      const refusal = volumeRefusal(plain, agent, allowVolume);
      if (refusal) throw new Error(refusal);
      target = name;
    }
  }
  // One call that creates or answers the volume that exists, labels and all: nothing can slip
  // in between a look and a create.
  const volume = await client.call<Volume>("POST", "/volumes/create", {
    body: { Name: target, Labels: volumeLabels(agent, job) },
  });
  const refusal = volumeRefusal(volume, agent, allowVolume);
  if (refusal) throw new Error(refusal);
  return target;
}

/** Claims each named volume of the job (see claimVolume) and returns the job with its volumes
 * under the names the engine knows them by; refuses the run when one is not the agent's. */
export async function claimVolumes<S extends Pick<JobSpec, "name" | "volumes">>(
  client: EngineClient,
  spec: S,
  agent: string,
  allowVolume: readonly string[],
): Promise<S> {
  const volumes: JobSpec["volumes"] = [];
  for (const mount of spec.volumes) {
    volumes.push(
      mount.kind === "volume"
        ? {
            ...mount,
            volume: await claimVolume(client, mount.volume, spec.name, agent, allowVolume),
          }
        : mount,
    );
  }
  return { ...spec, volumes };
}
