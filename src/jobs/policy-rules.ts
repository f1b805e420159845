// The agent's policy (SPEC §4) applied to one raw job: what a file from a pull
// request may not ask of a host whose Docker socket the agent holds.

import { posix } from "node:path";
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

/** Compiled once per pattern: every fromEnv of every file is matched against the same few. */
const envPatterns = new Map<string, RegExp>();

/** `SECRET_*`-style patterns: only `*` is special. */
export const matchesEnvPattern = (name: string, patterns: readonly string[]): boolean =>
  patterns.some((p) => {
    let compiled = envPatterns.get(p);
    if (!compiled) {
      const literal = p.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      compiled = new RegExp(`^${literal.join(".*")}$`);
      envPatterns.set(p, compiled);
    }
    return compiled.test(name);
  });

type Raw = Record<string, unknown>;
const asRecord = (v: unknown): Raw | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined;

export function checkPolicy(job: Raw, policy: Policy, findings: Findings): void {
  if (job.network === "host") {
    findings.add("error", ["network"], "value", {
      rule: "policy.network",
      message: 'network "host" is not allowed',
      hint: "jobs never share the host's network; name a Docker network, or leave network out for the default bridge",
    });
  }
  checkHostPaths(job, policy, findings);
  checkFromEnv(job, policy, findings);
  if (policy.level === "restricted") checkRestrictedUser(job, findings);
}

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
    const path = posix.resolve(hostPath);
    // An allowed prefix of "/" would open everything; like the runtime, it opens nothing.
    const prefixes = policy.allowHostPath.map((p) => posix.resolve(p)).filter((p) => p !== "/");
    if (!prefixes.some((prefix) => isWithin(path, prefix))) {
      const allowed = policy.allowHostPath.length
        ? `the agent allows only ${policy.allowHostPath.join(", ")}`
        : "the agent allows no host paths";
      findings.add("error", at, "value", {
        rule: "policy.hostPath",
        message: `hostPath "${hostPath}" is not allowed: ${allowed}`,
        hint: "use a named volume (volume: NAME), or have the agent started with --allow-host-path for this folder",
      });
    }
  });
}

function checkFromEnv(job: Raw, policy: Policy, findings: Findings): void {
  const env = asRecord(job.env);
  if (!env) return;
  for (const [key, value] of Object.entries(env)) {
    const name = asRecord(value)?.fromEnv;
    if (typeof name !== "string") continue;
    const at = ["env", key, "fromEnv"];
    if (name.startsWith("GITCRON_")) {
      findings.add("error", at, "value", {
        rule: "policy.fromEnv",
        message: `env ${fieldLabel([key])} may not read "${name}": the agent's own GITCRON_* settings are never passed to jobs`,
        hint: "put the value in a variable matching the agent's --secret-env patterns",
      });
    } else if (!matchesEnvPattern(name, policy.secretEnv)) {
      findings.add("error", at, "value", {
        rule: "policy.fromEnv",
        message: `env ${fieldLabel([key])} may not read "${name}": it does not match the agent's --secret-env (${policy.secretEnv.join(", ") || "none"})`,
        hint: `rename the agent variable to match, e.g. ${exampleName(policy.secretEnv, name)}`,
      });
    }
  }
}

const exampleName = (patterns: readonly string[], name: string): string =>
  patterns[0]?.includes("*") ? patterns[0].replace("*", name) : (patterns[0] ?? `SECRET_${name}`);

function checkRestrictedUser(job: Raw, findings: Findings): void {
  const user = job.user;
  if (user === undefined) {
    findings.add("error", [], "value", {
      rule: "policy.user",
      message: "the restricted policy requires a non-root user",
      hint: 'add e.g. user: "1000:1000"',
    });
    return;
  }
  const name = String(user).split(":")[0];
  if (name === "0" || name === "root") {
    findings.add("error", ["user"], "value", {
      rule: "policy.user",
      message: `user "${user}" is root; the restricted policy requires a non-root user`,
      hint: 'use e.g. user: "1000:1000"',
    });
  }
}
