// A real agent on a bare repository holding `files`, with its HTTP routes served on a free
// loopback port, as `gitcron agent` serves them: for the page, the CLI and HTTP clients.

import { afterEach } from "vitest";
import { agentRoutes } from "../../src/agent/routes.js";
import { silentLogger } from "../../src/log.js";
import { httpServers } from "../server/serve.js";
import { startTestAgent } from "./agent.js";
import { cleanupDocker, engine, TEST_IMAGE } from "./docker.js";
import { createBareRepo, tempDirs } from "./git.js";

/** A job file run by hand only (its schedule is 1 January): `sh -c script`, then `extra`. */
export const manualJob = (script: string, extra = "") =>
  `schedule: "0 0 1 1 *"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n${extra}`;

/** Call once per test file: agents, their servers, folders and containers go after each test. */
export function servedAgents(prefix: string) {
  const docker = engine();
  const dirs = tempDirs(prefix);
  const { serve } = httpServers();
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await dirs.cleanup();
  });
  return {
    /** Run after the test (and before its agent stops, if pushed after it). */
    stops,
    /** Removes the containers whose names start with `name` after the test. */
    cleanupAfter(name: string) {
      stops.push(() => cleanupDocker(docker, name));
    },
    /** Agent flags as on the command line, over interval 1h and status-flush 1s. `again`: a
     * stopped agent's folder and repository, for the next start on the same data folder. */
    async start(
      files: Record<string, string>,
      flags: Record<string, string | string[]> = {},
      again?: { parent: string; remote: { url: string } },
    ) {
      const parent = again?.parent ?? (await dirs.make());
      const remote = again?.remote ?? (await createBareRepo(parent, { files }));
      const { agent, settings } = await startTestAgent({
        repo: remote.url,
        dir: parent,
        flags: { interval: "1h", "status-flush": "1s", ...flags },
      });
      stops.push(() => agent.stop());
      await agent.ready;
      const url = await serve(
        agentRoutes({ agent, settings, logger: silentLogger() }),
        silentLogger(),
        { redactor: agent.redactor },
      );
      return { agent, settings, url, remote, parent };
    },
  };
}
