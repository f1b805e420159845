// Fields that container tools know but gitcron deliberately lacks (SPEC §4). They fail
// as unknown fields anyway; naming the reason stops people hunting for the right spelling.

import type { Finding } from "./findings.js";

const PRIVILEGED =
  "gitcron never runs privileged containers: job files come from pull requests and the agent holds the Docker socket";
const CAPABILITIES = "gitcron never adds capabilities to a job's container";
const NAMESPACES = "jobs never share the host's network, PID, IPC or UTS namespace";

const REASONS: Record<string, { rule: string; hint: string }> = {
  privileged: { rule: "policy.privileged", hint: PRIVILEGED },
  securityOpt: {
    rule: "policy.privileged",
    hint: "the agent sets the security options itself (no-new-privileges)",
  },
  security_opt: {
    rule: "policy.privileged",
    hint: "the agent sets the security options itself (no-new-privileges)",
  },
  devices: { rule: "policy.privileged", hint: "jobs cannot reach the host's devices" },
  capAdd: { rule: "policy.capabilities", hint: CAPABILITIES },
  cap_add: { rule: "policy.capabilities", hint: CAPABILITIES },
  capabilities: { rule: "policy.capabilities", hint: CAPABILITIES },
  hostNetwork: { rule: "policy.hostNamespace", hint: NAMESPACES },
  networkMode: { rule: "policy.hostNamespace", hint: NAMESPACES },
  network_mode: { rule: "policy.hostNamespace", hint: NAMESPACES },
  hostPID: { rule: "policy.hostNamespace", hint: NAMESPACES },
  hostIPC: { rule: "policy.hostNamespace", hint: NAMESPACES },
  hostUTS: { rule: "policy.hostNamespace", hint: NAMESPACES },
  pid: { rule: "policy.hostNamespace", hint: NAMESPACES },
  ipc: { rule: "policy.hostNamespace", hint: NAMESPACES },
  uts: { rule: "policy.hostNamespace", hint: NAMESPACES },
  userns: { rule: "policy.hostNamespace", hint: NAMESPACES },
  userns_mode: { rule: "policy.hostNamespace", hint: NAMESPACES },
};

/** The finding for a top-level field that the policy forbids, if `key` is one. */
export function forbiddenField(key: string): Finding | undefined {
  const reason = Object.hasOwn(REASONS, key) ? REASONS[key] : undefined;
  return (
    reason && { rule: reason.rule, message: `field "${key}" is not allowed`, hint: reason.hint }
  );
}
