// The container a run creates, built from the request alone (pure). SPEC §4 is enforced here
// again, whatever the spec says: the validator may have been bypassed or be older than the agent.

import type Dockerode from "dockerode";
import { restrictedUserRefusal } from "../jobs/policy-rules.js";
import type { JobSpec } from "../jobs/spec.js";
import { fromEnvRefusal } from "../secrets/secret-env.js";
import { LABEL } from "./names.js";
import type { RunRequest } from "./runtime.js";

export const RESTRICTED_TMPFS = { "/tmp": "rw,noexec,nosuid,size=64m" } as const;

export interface ResolvedEnv {
  /** `NAME=value` pairs for the container. */
  env: string[];
  /** Values that came from `fromEnv`: redacted wherever output goes. */
  secrets: string[];
  /** Container variable names whose values are secrets. */
  secretNames: string[];
}

/** Literal values as they are; `fromEnv` read from the agent's environment now, after the
 * policy is asked again (SPEC §4): a spec that reached the runtime past the validator still
 * cannot read GITCRON_* or a variable outside the job's --secret-env patterns. A refused or
 * missing variable refuses the run, naming the variable and never a value. */
export function resolveEnv(
  spec: Pick<JobSpec, "name" | "env">,
  agentEnv: Readonly<Record<string, string | undefined>>,
  secretEnv: readonly string[],
): ResolvedEnv {
  const resolved: ResolvedEnv = { env: [], secrets: [], secretNames: [] };
  for (const [name, value] of Object.entries(spec.env)) {
    if ("value" in value) {
      resolved.env.push(`${name}=${value.value}`);
      continue;
    }
    const refusal = fromEnvRefusal(value.fromEnv, secretEnv, spec.name);
    if (refusal) throw new Error(`env ${name} may not read ${refusal}`);
    const secret = agentEnv[value.fromEnv];
    if (secret === undefined) {
      throw new Error(
        `env ${name} reads ${value.fromEnv} from the agent's environment, which is not set`,
      );
    }
    resolved.env.push(`${name}=${secret}`);
    resolved.secretNames.push(name);
    if (secret !== "") resolved.secrets.push(secret);
  }
  return resolved;
}

export interface ContainerConfigInput {
  request: RunRequest;
  name: string;
  env: ResolvedEnv;
  /** USER from the image, for the restricted policy's non-root check when the spec sets none. */
  imageUser: string;
  pidsLimit: number;
  stopGraceMs: number;
}

/** The create options for the run's container; throws a one-sentence Error when policy refuses. */
export function containerCreateOptions(
  input: ContainerConfigInput,
): Dockerode.ContainerCreateOptions {
  const { request, name, env } = input;
  const { spec, policy } = request;
  const restricted = policy.level === "restricted";
  if (spec.network === "host" || spec.network?.startsWith("container:")) {
    throw new Error(
      `network ${spec.network} is refused: a job may not share the host's or another container's network`,
    );
  }
  if (restricted) requireNonRoot(spec.user, input.imageUser);
  return {
    name,
    Image: spec.image,
    Entrypoint: spec.entrypoint,
    Cmd: spec.command,
    Env: env.env,
    WorkingDir: spec.workingDir,
    User: spec.user,
    Labels: labelsFor(request, env),
    AttachStdout: true,
    AttachStderr: true,
    Tty: spec.tty === true,
    OpenStdin: false,
    StopTimeout: Math.ceil(input.stopGraceMs / 1000),
    HostConfig: {
      Mounts: spec.volumes.map((v) =>
        v.kind === "volume"
          ? { Type: "volume" as const, Source: v.volume, Target: v.path, ReadOnly: v.readOnly }
          : { Type: "bind" as const, Source: v.hostPath, Target: v.path, ReadOnly: v.readOnly },
      ),
      NanoCpus: spec.resources?.cpus ? Math.round(spec.resources.cpus * 1e9) : undefined,
      Memory: spec.resources?.memoryBytes,
      NetworkMode: spec.network,
      Privileged: false,
      SecurityOpt: ["no-new-privileges"],
      PidsLimit: input.pidsLimit,
      IpcMode: "private",
      CapDrop: restricted ? ["ALL"] : undefined,
      ReadonlyRootfs: restricted,
      Tmpfs: restricted ? { ...RESTRICTED_TMPFS } : undefined,
      AutoRemove: false,
    },
  };
}

/** The restricted policy's numeric non-root user, from the spec or else the image's USER. */
function requireNonRoot(specUser: string | undefined, imageUser: string) {
  const user = specUser || imageUser;
  const refusal = restrictedUserRefusal(user);
  if (!refusal) return;
  const whose = specUser ? "user" : user ? "the image's USER" : "the image's default user";
  throw new Error(
    `the restricted policy requires a numeric non-root user, and ${whose} ${JSON.stringify(user || "root")} ${refusal.replace(/;.*$/, "")}; set user, e.g. "1000:1000"`,
  );
}

function labelsFor(request: RunRequest, env: ResolvedEnv): Record<string, string> {
  // The job's own labels may not pose as gitcron's.
  const own = Object.entries(request.spec.labels).filter(([key]) => !key.startsWith("gitcron."));
  return {
    ...Object.fromEntries(own),
    [LABEL.job]: request.spec.name,
    [LABEL.run]: request.runId,
    [LABEL.revision]: request.revision,
    ...(request.agent ? { [LABEL.agent]: request.agent } : {}),
    [LABEL.scheduledAt]: request.scheduledAt.toISOString(),
    [LABEL.attempt]: String(request.attempt),
    [LABEL.trigger]: request.trigger,
    ...(env.secretNames.length > 0 ? { [LABEL.redact]: env.secretNames.join(",") } : {}),
  };
}
