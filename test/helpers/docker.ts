// The real Docker engine for tests: a client, per-test unique names, and cleanup of everything a
// test created (containers by job label, volumes by name prefix).

import { randomBytes } from "node:crypto";
import Dockerode from "dockerode";
import { LABEL } from "../../src/runtime/names.js";

export const TEST_IMAGE = process.env.GITCRON_TEST_IMAGE ?? "gitcron-test/busybox:1";

export const engine = (): Dockerode => new Dockerode({ socketPath: "/var/run/docker.sock" });

/** The second engine scripts/test-env.sh starts on this host, standing in for a second host:
 * its own containers, images and bridge, not in a swarm. */
export const SECOND_ENGINE_SOCKET = "/var/run/gitcron-docker2.sock";

export const secondEngine = (): Dockerode => new Dockerode({ socketPath: SECOND_ENGINE_SOCKET });

/** A DNS-label-safe prefix unique to this test, for job, volume and container names. */
export const uniqueName = (what: string): string => `gct-${what}-${randomBytes(3).toString("hex")}`;

/** Containers of a job, in any state. */
export async function containersOfJob(docker: Dockerode, job: string) {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL.job}=${job}`] } });
}

/** Removes containers whose job label and volumes whose name start with `prefix` (after the
 * `gitcron-<agent id>-` the agent puts before the volumes it creates). */
export async function cleanupDocker(docker: Dockerode, prefix: string): Promise<void> {
  // All of them: a container made by hand in a test may carry no job label.
  const containers = await docker.listContainers({ all: true });
  await Promise.all(
    containers
      .filter(
        (c) =>
          (c.Labels?.[LABEL.job] ?? "").startsWith(prefix) ||
          c.Names.some((n) => n.includes(prefix)),
      )
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
  );
  const { Volumes } = await docker.listVolumes();
  await Promise.all(
    (Volumes ?? [])
      .filter(
        (v) =>
          v.Name.startsWith(prefix) ||
          (v.Name.startsWith("gitcron-") && v.Name.includes(`-${prefix}`)),
      )
      .map((v) =>
        docker
          .getVolume(v.Name)
          .remove({ force: true })
          .catch(() => undefined),
      ),
  );
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
