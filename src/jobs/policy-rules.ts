// The agent's policy (SPEC §4) applied to one raw job: what a file from a pull
// request may not ask of a host whose Docker socket the agent holds.

import { posix } from "node:path";
import { fromEnvRefusal } from "../secrets/secret-env.js";
import { jobEnvName, matchesGlob } from "../text/glob.js";
import { type Findings, fieldLabel } from "./findings.js";
import type { Policy } from "./policy.js";

/** Host paths no flag opens: the host itself, the engine's socket and its state. */
const NEVER_MOUNTED = [
  "/proc",
  "/sys",
  "/dev",
  "/etc",
  "/var/lib/docker",
  "/var/run/docker.sock",
  "/run/docker.sock",
];

const isWithin = (path: string, folder: string): boolean =>
  path === folder || path.startsWith(`${folder}/`);

/** Why `hostPath` may never be mounted, or undefined. Mounting a parent exposes the child too. */
export function neverMountedReason(hostPath: string): string | undefined {
  const path = posix.resolve(hostPath);
  if (path === "/") return "the host's root file system";
  const hit = NEVER_MOUNTED.find((p) => isWithin(path, p) || isWithin(p, path));
  if (!hit) return undefined;
  return hit.endsWith("docker.sock") ? "the Docker socket (root on the host)" : hit;
}

type Raw = Record<string, unknown>;
const asRecord = (v: unknown): Raw | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined;

/** `name`: the job's name, for `{JOB}` in --secret-env patterns. */
export function checkPolicy(job: Raw, name: string, policy: Policy, findings: Findings): void {
  if (job.network === "host") {
    findings.add("error", ["network"], "value", {
      rule: "policy.network",
      message: 'network "host" is not allowed',
      hint: "jobs never share the host's network; name a Docker network, or leave network out for the default bridge",
    });
  }
  checkHostPaths(job, policy, findings);
  checkLabels(job, policy, findings);
  checkFromEnv(job, name, policy, findings);
  if (policy.level === "restricted") checkRestrictedUser(job, findings);
}

function checkLabels(job: Raw, policy: Policy, findings: Findings): void {
  for (const key of Object.keys(asRecord(job.labels) ?? {})) {
    if (!labelRefused(key, policy.allowLabel)) continue;
    findings.add("error", ["labels", key], "key", {
      rule: "policy.label",
      message: `label "${key}" is not allowed: a key with a dotted prefix can drive another program that reads containers' labels (a reverse proxy, compose)`,
      hint: `use a key without a dot, or ask the operator to list it in the agent's --allow-label (e.g. "${key.slice(0, key.indexOf(".") + 1)}*")`,
    });
  }
}

/** Whether a job may not set label `key`: a key with a dotted (reverse-DNS) prefix —
 * `traefik.`, `com.docker.compose.` — is read by other programs (a reverse proxy routes traffic
 * by it) unless --allow-label names it. `gitcron.*` is reserved apart (labels.reserved). */
export const labelRefused = (key: string, allowLabel: readonly string[]): boolean =>
  key.includes(".") && !key.startsWith("gitcron.") && !matchesGlob(key, allowLabel);

function checkHostPaths(job: Raw, policy: Policy, findings: Findings): void {
  if (!Array.isArray(job.volumes)) return;
  job.volumes.forEach((mount, index) => {
    const hostPath = asRecord(mount)?.hostPath;
    if (typeof hostPath !== "string" || !hostPath.startsWith("/")) return;
    const at = ["volumes", index, "hostPath"];
    const never = neverMountedReason(hostPath);
    if (never) {
      findings.add("error", at, "value", {
        rule: "policy.hostPath",
        message: `hostPath "${hostPath}" is never allowed: it exposes ${never}`,
        hint: "use a named volume (volume: NAME) instead",
      });
      return;
    }
    const refusal = notAllowedReason(hostPath, policy.allowHostPath);
    if (refusal) {
      findings.add("error", at, "value", {
        rule: "policy.hostPath",
        message: `hostPath "${hostPath}" is not allowed: ${refusal.why}`,
        hint: refusal.hint,
      });
    }
  });
}

/** Why a host path the agent never refuses outright is still not allowed: it must equal an
 * --allow-host-path entry exactly. A sub-folder is refused because a job that can write in the
 * listed folder could swap the sub-folder for a link between the agent's check and Docker's
 * mount (SPEC §4). The runtime asks the same question. */
export function notAllowedReason(
  hostPath: string,
  allowHostPath: readonly string[],
): { why: string; hint: string } | undefined {
  const path = posix.resolve(hostPath);
  // "/" is never allowed (neverMountedReason), so as an entry it opens nothing.
  const allowed = allowHostPath.map((p) => posix.resolve(p)).filter((p) => p !== "/");
  if (allowed.includes(path)) return undefined;
  const parent = allowed.find((folder) => isWithin(path, folder));
  if (parent) {
    return {
      why: `it is inside the allowed ${parent}, and only the listed folders themselves may be mounted`,
      hint: `mount ${parent} and use the sub-folder inside the container, or have the agent list ${path} in --allow-host-path`,
    };
  }
  return {
    why: allowed.length
      ? `the agent allows only ${allowed.join(", ")}`
      : "the agent allows no host paths",
    hint: "use a named volume (volume: NAME), or have the agent started with --allow-host-path for this folder",
  };
}

function checkFromEnv(job: Raw, name: string, policy: Policy, findings: Findings): void {
  const env = asRecord(job.env);
  if (!env) return;
  for (const [key, value] of Object.entries(env)) {
    const variable = asRecord(value)?.fromEnv;
    if (typeof variable !== "string") continue;
    const refusal = fromEnvRefusal(variable, policy.secretEnv, name);
    if (!refusal) continue;
    findings.add("error", ["env", key, "fromEnv"], "value", {
      rule: "policy.fromEnv",
      message: `env ${fieldLabel([key])} may not read ${refusal}`,
      hint: variable.startsWith("GITCRON_")
        ? "put the value in a variable matching the agent's --secret-env patterns"
        : `rename the agent variable to match, e.g. ${exampleName(policy.secretEnv, variable, name)}`,
    });
  }
}

const exampleName = (patterns: readonly string[], variable: string, job: string): string => {
  const pattern = patterns[0];
  if (!pattern) return `SECRET_${variable}`;
  if (!pattern.includes("{JOB}")) return pattern.replace("*", variable);
  // Under {JOB}, * is one word (glob.ts): offer the variable's last one.
  const word = variable.split("_").findLast(Boolean) ?? "KEY";
  const example = pattern.replaceAll("{JOB}", jobEnvName(job)).replace("*", word);
  return `${example} (in a pattern with {JOB}, * is one word, without _)`;
};

function checkRestrictedUser(job: Raw, findings: Findings): void {
  const user = job.user;
  if (user === undefined) {
    findings.add("error", [], "value", {
      rule: "policy.user",
      message: "the restricted policy requires a numeric non-root user",
      hint: 'add e.g. user: "1000:1000"',
    });
    return;
  }
  const refusal = restrictedUserRefusal(String(user));
  if (refusal) {
    findings.add("error", ["user"], "value", {
      rule: "policy.user",
      message: `user "${user}" ${refusal}`,
      hint: 'use a numeric uid above 0, e.g. user: "1000:1000"',
    });
  }
}

/** Why `user` may not run under the restricted policy, or undefined. Only a numeric uid above 0
 * is known not to be root: an image's /etc/passwd can map any name to uid 0, so a name is
 * refused rather than guessed at (Kubernetes' runAsNonRoot does the same). The runtime asks
 * this of the file's user and of the image's USER. */
export function restrictedUserRefusal(user: string): string | undefined {
  const uid = user.split(":")[0] ?? "";
  if (uid === "" || uid === "root" || /^0+$/.test(uid))
    return "is root; the restricted policy requires a non-root user";
  if (!/^\d+(:\d+)?$/.test(user))
    return "is not numeric; the restricted policy requires a numeric uid, because an image can map any name to root";
  return undefined;
}
