// A one-node Swarm for tests: initialised if the engine is not in one, and left again
// afterwards only in that case, so the engine is left as it was found.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type Dockerode from "dockerode";
import { LABEL } from "../../src/runtime/names.js";

const run = promisify(execFile);

export async function ensureSwarm(docker: Dockerode): Promise<() => Promise<void>> {
  const info = await docker.info();
  if (info.Swarm?.LocalNodeState === "active") return async () => {};
  await run("docker", ["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  return async () => {
    await run("docker", ["swarm", "leave", "--force"]);
  };
}

/** Services of a job (running or finished), as the cluster sees them. */
export async function servicesOfJob(docker: Dockerode, job: string) {
  return docker.listServices({ filters: { label: [`${LABEL.job}=${job}`] } });
}

/** Removes services whose job label starts with `prefix`. */
export async function cleanupServices(docker: Dockerode, prefix: string): Promise<void> {
  const services = await docker.listServices({ filters: { label: [LABEL.job] } });
  await Promise.all(
    services
      .filter((s) => (s.Spec?.Labels?.[LABEL.job] ?? "").startsWith(prefix))
      .map((s) =>
        docker
          .getService(s.ID as string)
          .remove()
          .catch(() => undefined),
      ),
  );
}
