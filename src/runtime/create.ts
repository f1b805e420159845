// Picks the runtime named by --runtime; each is loaded only when chosen.

import type { Logger } from "../log.js";
import type { Runtime } from "./runtime.js";

export async function createRuntime(
  kind: "docker" | "swarm",
  options: { logger: Logger; env: Readonly<Record<string, string | undefined>> },
): Promise<Runtime> {
  if (kind === "swarm") {
    const { createSwarmRuntime } = await import("./swarm.js");
    return createSwarmRuntime(options);
  }
  const { createDockerRuntime } = await import("./docker.js");
  return createDockerRuntime(options);
}
