// Which host folders a `hostPath` mount may name (SPEC §4): only under an --allow-host-path
// prefix, and never a path that is, contains or lies inside one that hands out the host.

import { realpath } from "node:fs/promises";
import { posix } from "node:path";

export const FORBIDDEN_HOST_PATHS = [
  "/proc",
  "/sys",
  "/dev",
  "/etc",
  "/var/lib/docker",
  "/var/run/docker.sock",
  "/run/docker.sock",
] as const;

const isWithin = (path: string, folder: string) =>
  folder === "/" || path === folder || path.startsWith(`${folder}/`);

/** Why `hostPath` may not be mounted, or undefined when it may. */
export function hostPathRefusal(hostPath: string, allowed: readonly string[]): string | undefined {
  if (!posix.isAbsolute(hostPath)) return `hostPath ${hostPath} is not an absolute path`;
  const path = posix.resolve(hostPath);
  if (path === "/") return "hostPath / would expose the whole host";
  // Both directions: /var would contain the Docker socket, /etc/ssl is inside /etc.
  const forbidden = FORBIDDEN_HOST_PATHS.find((f) => isWithin(path, f) || isWithin(f, path));
  if (forbidden) return `hostPath ${path} would expose ${forbidden}, which is never allowed`;
  const prefixes = allowed.map((p) => posix.resolve(p)).filter((p) => p !== "/");
  if (!prefixes.some((prefix) => isWithin(path, prefix))) {
    return prefixes.length === 0
      ? `hostPath ${path} is refused: the agent allows no host paths (--allow-host-path)`
      : `hostPath ${path} is not under an allowed prefix (${prefixes.join(", ")})`;
  }
  return undefined;
}

/** Checks each hostPath as written and, when it exists here, as its symlinks resolve: a link
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
