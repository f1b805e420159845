// Which host folders a `hostPath` mount may name (SPEC §4), enforced again at run time: only
// under an --allow-host-path prefix, never a path the validator's rules never allow, and the
// same once symlinks are resolved.

import { realpath } from "node:fs/promises";
import { posix } from "node:path";
import { neverMountedReason } from "../jobs/policy-rules.js";

const isWithin = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** Why `hostPath` may not be mounted, or undefined when it may. */
export function hostPathRefusal(hostPath: string, allowed: readonly string[]): string | undefined {
  if (!posix.isAbsolute(hostPath)) return `hostPath ${hostPath} is not an absolute path`;
  const path = posix.resolve(hostPath);
  const never = neverMountedReason(path);
  if (never) return `hostPath ${path} is never allowed: it exposes ${never}`;
  // A prefix of "/" would open everything; it opens nothing.
  const prefixes = allowed.map((p) => posix.resolve(p)).filter((p) => p !== "/");
  if (prefixes.some((prefix) => isWithin(path, prefix))) return undefined;
  return prefixes.length === 0
    ? `hostPath ${path} is refused: the agent allows no host paths (--allow-host-path)`
    : `hostPath ${path} is not under an allowed prefix (${prefixes.join(", ")})`;
}

/** Checks each hostPath as written and, when it exists here, with symlinks resolved: a link
 * under an allowed prefix must not lead to the Docker socket. Rejects with the first refusal. */
export async function checkHostPaths(
  hostPaths: readonly string[],
  allowed: readonly string[],
): Promise<void> {
  for (const hostPath of hostPaths) {
    const refusal = hostPathRefusal(hostPath, allowed);
    if (refusal) throw new Error(refusal);
    const real = await realpath(hostPath).catch(() => hostPath);
    const realRefusal = real === hostPath ? undefined : hostPathRefusal(real, allowed);
    if (realRefusal) throw new Error(`${realRefusal} (${hostPath} links there)`);
  }
}
