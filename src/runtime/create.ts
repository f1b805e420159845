// Picks the runtime named by --runtime; each is loaded only when chosen.

import { UsageError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Runtime } from "./runtime.js";

export async function createRuntime(
  kind: "docker" | "swarm",
  options: { logger: Logger; env?: Readonly<Record<string, string | undefined>> },
): Promise<Runtime> {
  if (kind !== "docker") throw new UsageError(`--runtime ${kind} is not available in this build`);
  const { createDockerRuntime } = await import("./docker.js");
  return createDockerRuntime(options);
}
