// Named volumes a run may mount (SPEC §4): the ones gitcron created for this agent — a missing
// one is created on first use, labelled with the agent's id — and existing ones the operator
// shares on purpose with --allow-volume. Any other volume (another application's, another
// agent's, the agent's own data volume) is refused: mounting it would hand the job that
// application's data, or the agent's.

import { matchesGlob } from "../jobs/glob.js";
import type { JobSpec } from "../jobs/spec.js";
import type { EngineClient } from "./engine.js";
import { LABEL } from "./names.js";

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

/** Creates each missing named volume of the job, labelled as this agent's, and refuses the run
 * when one exists that is not. One call per volume: Docker's create answers with the volume
 * that already exists, labels and all, so nothing can slip in between a look and a create. */
export async function claimVolumes(
  client: EngineClient,
  spec: Pick<JobSpec, "name" | "volumes">,
  agent: string,
  allowVolume: readonly string[],
): Promise<void> {
  for (const mount of spec.volumes) {
    if (mount.kind !== "volume") continue;
    const volume = await client.call<Volume>("POST", "/volumes/create", {
      body: { Name: mount.volume, Labels: volumeLabels(agent, spec.name) },
    });
    const refusal = volumeRefusal(volume, agent, allowVolume);
    if (refusal) throw new Error(refusal);
  }
}
