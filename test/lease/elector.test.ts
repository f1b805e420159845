// The elector on a real bare repository. The leader's renewals ride on its status pushes (SPEC
// §3): while runs are published the lease moves with them and the leader pushes nothing of its
// own; idle, it renews by itself (a post-receive hook counts what each push moved). A standby
// killed without a stop leaves its announcement, which the leader removes.

import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { createElector, holderFor } from "../../src/lease/elector.js";
import { LeaseRemote } from "../../src/lease/lease-remote.js";
import { silentLogger } from "../../src/log.js";
import { createStatusStore } from "../../src/status/store.js";
import { createBareRepo, git, tempDirs } from "../helpers/git.js";
import { captureLogger } from "../runtime/capture-log.js";
import { summary } from "../status/fixtures.js";

const temp = tempDirs("gitcron-elector-");
afterEach(() => temp.cleanup());

const AGENT = "0123456789ab";
const LEASE_REF = `refs/gitcron/lease/${AGENT}`;
const LEASE_MS = 6_000;
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

function electorOn(root: string, url: string, leaseMs: number, logger = silentLogger()) {
  return createElector({
    remote: leaseRemote(root, url, "lease"),
    dataDir: join(root, "data"),
    leaseMs,
    clock: systemClock,
    logger,
    onLead: async () => {},
    onStandby: () => {},
    onHold: () => {},
  });
}

const leaseRemote = (root: string, url: string, name: string) =>
  new LeaseRemote({ dir: join(root, name), remote: url, agent: AGENT, env: process.env });

describe("a standby's announcement", () => {
  it("is removed by the leader once it has not changed for three leases", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root);
    const leaseMs = 600;
    // A standby that announced itself once and was killed.
    const gone = holderFor(join(root, "gone"));
    await leaseRemote(root, remote.url, "gone").announce(gone);
    const ref = `refs/gitcron/standby/${AGENT}/${gone.process}`;
    const { logger, records } = captureLogger();
    const elector = electorOn(root, remote.url, leaseMs, logger);
    const logged = (msg: string) => records().find((l) => l.msg === msg);
    try {
      const startedAt = Date.now();
      expect(await elector.start()).toBe("leader");
      expect(await git(remote.dir, "for-each-ref", "--format=%(refname)", ref)).toBe(`${ref}\n`);
      const removed = await vi.waitFor(
        () => {
          const line = logged("removed the announcement of a standby gone silent");
          if (!line) throw new Error("not removed yet");
          return line;
        },
        { timeout: 10 * leaseMs, interval: 50 },
      );
      expect(await git(remote.dir, "for-each-ref", "refs/gitcron/standby")).toBe("");
      // Not before three leases from the leader's first look.
      expect(Number(removed.time) - startedAt).toBeGreaterThanOrEqual(3 * leaseMs);
    } finally {
      await elector.stop();
    }
  });
});

describe("the leader's lease renewal", () => {
  it("rides on each status push while runs are published, and is pushed alone only when idle", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root);
    const pushes = await countPushes(remote.dir);
    const logger = silentLogger();
    const elector = electorOn(root, remote.url, LEASE_MS);
    const store = createStatusStore({
      git: { env: process.env },
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
      // Busy: a run every 100 ms for two lease looks and more.
      const busyFrom = (await pushes()).length;
      for (let n = 0; n < 45; n++) {
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
