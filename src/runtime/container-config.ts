// The container a run creates, built from the request alone (pure). SPEC §4 is enforced here
// again, whatever the spec says: the validator may have been bypassed or be older than the agent.

import type Dockerode from "dockerode";
import type { EnvValue } from "../jobs/spec.js";
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

/** Literal values as they are; `fromEnv` read from the agent's environment now. A missing
 * variable refuses the run, naming the variable and never a value. */
export function resolveEnv(
  spec: Readonly<Record<string, EnvValue>>,
  agentEnv: Readonly<Record<string, string | undefined>>,
): ResolvedEnv {
  const resolved: ResolvedEnv = { env: [], secrets: [], secretNames: [] };
  for (const [name, value] of Object.entries(spec)) {
    if ("value" in value) {
      resolved.env.push(`${name}=${value.value}`);
      continue;
    }
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
  if (restricted) requireNonRoot(spec.user || input.imageUser);
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
    Tty: false,
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

function requireNonRoot(user: string) {
  const name = user.split(":")[0] ?? "";
  if (name === "" || name === "root" || /^0+$/.test(name)) {
    throw new Error(
      `the restricted policy requires a non-root user, and this job runs as ${name || "root (the image's default)"}; set user, e.g. "1000:1000"`,
    );
  }
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
