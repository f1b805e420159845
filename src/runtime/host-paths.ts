// Which host folders a `hostPath` mount may name (SPEC §4), enforced again at run time: exactly
// an --allow-host-path entry, never a path the validator's rules never allow, and the same once
// links are resolved. Because only the listed folders themselves are mounted, no job can swap a
// sub-folder for a link between this check and Docker's mount.

// node:fs loads its promises on first use (node:fs/promises at once, with readline): `gitcron run`
// starts sooner.
import { promises as fsPromises } from "node:fs";
import { posix } from "node:path";
import { neverMountedReason, notAllowedReason } from "../jobs/policy-rules.js";

/** Why `hostPath` may not be mounted, or undefined when it may. */
export function hostPathRefusal(hostPath: string, allowed: readonly string[]): string | undefined {
  if (!posix.isAbsolute(hostPath)) return `hostPath ${hostPath} is not an absolute path`;
  const path = posix.resolve(hostPath);
  const never = neverMountedReason(path);
  if (never) return `hostPath ${path} is never allowed: it exposes ${never}`;
  const notAllowed = notAllowedReason(path, allowed);
  return notAllowed && `hostPath ${path} is refused: ${notAllowed.why} (--allow-host-path)`;
}

/** Checks each hostPath as written and, when this process can see it, with links resolved: an
 * operator's entry that is itself a link must not lead to the Docker socket. Where the agent
 * cannot see the host's folders (it runs in a container), the exact match is the whole rule:
 * the entry is the operator's, and no job can change what it names. */
export async function checkHostPaths(
  hostPaths: readonly string[],
  allowed: readonly string[],
): Promise<void> {
  for (const hostPath of hostPaths) {
    const refusal = hostPathRefusal(hostPath, allowed);
    if (refusal) throw new Error(refusal);
    const real = await fsPromises.realpath(hostPath).catch(() => hostPath);
    const never = real === hostPath ? undefined : neverMountedReason(real);
    if (never)
      throw new Error(
        `hostPath ${hostPath} is refused: it links to ${real}, which exposes ${never}`,
      );
  }
}
