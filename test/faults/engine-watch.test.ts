// The fault suite's watch on the real engine: it sees a container's life from its events, and
// an engine it cannot read fails the test instead of reporting that nothing ran.

import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { LABEL } from "../../src/runtime/names.js";
import { cleanupDocker, engine, eventually, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { watchEngine } from "./helpers/engine-watch.js";
import { startCutProxy } from "./helpers/proxy.js";

const docker = engine();
const prefix = uniqueName("watch");
afterAll(() => cleanupDocker(docker, prefix));

/** A container of `job` for run `run`, as the agent would label it. */
const make = (job: string, run: string, script: string) =>
  docker.createContainer({
    Image: TEST_IMAGE,
    Cmd: ["sh", "-c", script],
    Labels: { [LABEL.job]: `${prefix}-${job}`, [LABEL.run]: run },
  });

/** A socket in front of the engine that passes every request but holds back what the engine
 * sends on a live event stream (GET /events without `until`): a watch whose stream lags. */
async function laggingEngine(listenPath: string) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect("/var/run/docker.sock");
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(socket);
      socket.on("error", () => other.destroy());
      socket.on("close", () => other.destroy());
    }
    client.once("data", (first: Buffer) => {
      const line = first.toString("latin1").split("\r\n")[0] ?? "";
      upstream.write(first);
      client.pipe(upstream);
      if (!(/^GET \S*\/events\?/.test(line) && !/[?&]until=/.test(line))) upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(listenPath, resolve));
  return {
    docker: new Dockerode({ socketPath: listenPath }),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("the engine watch", () => {
  it("sees runs start and end, and what is still in the engine when it stops", async () => {
    const watch = watchEngine(docker, `${prefix}-a`);
    const done = await make("a", "a-1", "true");
    await done.start();
    await done.wait();
    await done.remove();
    const kept = await make("a", "a-2", "true");
    await kept.start();
    await kept.wait();
    // Removed just before the stop: the stop reads the engine's events up to now.
    const gone = await make("a", "a-3", "true");
    await gone.remove();
    const report = await watch.stop();
    expect([...report.ranRuns].sort()).toEqual(["a-1", "a-2"]);
    expect([...report.present]).toEqual(["a-2"]);
    expect(report.maxLive).toEqual({ [`${prefix}-a`]: 1 });
  });

  it("reads at its stop what the engine logged that the live stream had not brought yet", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gitcron-watch-"));
    const lagging = await laggingEngine(join(dir, "docker.sock"));
    try {
      const watch = watchEngine(lagging.docker, `${prefix}-c`);
      const exited = await make("c", "c-1", "true");
      await exited.start();
      await exited.wait();
      expect(watch.report().events).toBe(0);
      const report = await watch.stop();
      expect([[...report.ranRuns], [...report.present]]).toEqual([["c-1"], ["c-1"]]);
    } finally {
      await lagging.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an event stream that ends while the test watches fails the report and the stop", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gitcron-watch-"));
    const proxy = await startCutProxy({
      target: { path: "/var/run/docker.sock" },
      listenPath: join(dir, "docker.sock"),
    });
    try {
      const watch = watchEngine(
        new Dockerode({ socketPath: join(dir, "docker.sock") }),
        `${prefix}-b`,
      );
      // A container's events through the proxy show the stream is live before it is cut.
      await (await make("b", "b-1", "true")).remove();
      await eventually(async () => (watch.report().events >= 2 ? true : undefined));
      await proxy.set("refuse");
      const failure = await eventually(async () => {
        try {
          watch.report();
          return undefined;
        } catch (err) {
          return err as Error;
        }
      });
      // A cut connection: the response aborted, or ended where the engine never ends it.
      expect(failure.message).toMatch(/^the engine's event stream (failed|ended while the test)/);
      await expect(watch.stop()).rejects.toThrow(failure.message);
    } finally {
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an engine that cannot be reached fails the stop, never reports an empty engine", async () => {
    const watch = watchEngine(new Dockerode({ socketPath: "/nonexistent/docker.sock" }), prefix);
    await expect(watch.stop()).rejects.toThrow(/ENOENT/);
  });
});
