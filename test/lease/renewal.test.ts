// The leader's renewals ride on its status pushes (SPEC §3): while runs are published the lease
// moves with them and the leader pushes nothing of its own; idle, it renews by itself. Real
// elector, status store and bare repository; a post-receive hook counts what each push moved.

import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createElector } from "../../src/lease/elector.js";
import { LeaseRemote } from "../../src/lease/lease-remote.js";
import { silentLogger } from "../../src/log.js";
import { systemClock } from "../../src/scheduler/clock.js";
import { createStatusStore } from "../../src/status/store.js";
import { createBareRepo, tempDirs } from "../helpers/git.js";
import { summary } from "../status/fixtures.js";

const temp = tempDirs("gitcron-renewal-");
afterEach(() => temp.cleanup());

const AGENT = "0123456789ab";
const LEASE_REF = `refs/gitcron/lease/${AGENT}`;
const LEASE_MS = 3_000;
const FLUSH_MS = 200;

/** The refs each push moved, one push a line, as the remote's post-receive hook saw them. */
async function countPushes(remoteDir: string) {
  const log = join(remoteDir, "pushes.log");
  const hook = join(remoteDir, "hooks", "post-receive");
  await writeFile(
    hook,
    `#!/bin/sh\ncut -d' ' -f3 | sort | tr '\\n' ' ' >> "${log}"\necho >> "${log}"\n`,
  );
  await chmod(hook, 0o755);
  return async () =>
    (await readFile(log, "utf8").catch(() => ""))
      .split("\n")
      .filter(Boolean)
      .map((line) => line.trim().split(" "));
}

describe("the leader's lease renewal", () => {
  it("rides on each status push while runs are published, and is pushed alone only when idle", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root);
    const pushes = await countPushes(remote.dir);
    const logger = silentLogger();
    const elector = createElector({
      remote: new LeaseRemote({ dir: join(root, "lease"), remote: remote.url, agent: AGENT }),
      dataDir: join(root, "data"),
      leaseMs: LEASE_MS,
      clock: systemClock,
      logger,
      onLead: async () => {},
      onStandby: () => {},
      onHold: () => {},
    });
    const store = createStatusStore({
      dataDir: join(root, "data"),
      repoUrl: remote.url,
      branch: "gitcron-status",
      agent: AGENT,
      history: 100,
      flushMs: FLUSH_MS,
      logger,
      alongside: () => elector.renewal(),
    });
    try {
      expect(await elector.start()).toBe("leader");
      store.start();
      // Busy: a run every 100 ms for three lease looks.
      const busyFrom = (await pushes()).length;
      for (let n = 0; n < 35; n++) {
        await store.record(summary("tick", n));
        await new Promise((r) => setTimeout(r, 100));
      }
      await store.flush();
      const busy = (await pushes()).slice(busyFrom);
      const withBatch = busy.filter((refs) => refs.includes("refs/heads/gitcron-status"));
      expect(withBatch.length).toBeGreaterThanOrEqual(5);
      expect(withBatch.every((refs) => refs.includes(LEASE_REF))).toBe(true);
      expect(busy.filter((refs) => !refs.includes("refs/heads/gitcron-status"))).toEqual([]);

      // Idle: the looks renew it by themselves.
      const idleFrom = (await pushes()).length;
      await new Promise((r) => setTimeout(r, 2.5 * (LEASE_MS / 3)));
      expect((await pushes()).slice(idleFrom)).toContainEqual([LEASE_REF]);
      expect(elector.role()).toBe("leader");
    } finally {
      await store.stop();
      await elector.stop();
    }
  });
});
