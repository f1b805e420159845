// A real agent on a bare repository holding `files`, with its HTTP routes served on a free
// loopback port, as `gitcron agent` serves them: for the page, the CLI and HTTP clients.

import { agentRoutes } from "../../src/agent/routes.js";
import { silentLogger } from "../../src/log.js";
import type { httpServers } from "../server/serve.js";
import { startTestAgent } from "./agent.js";
import { createBareRepo, type tempDirs } from "./git.js";

export async function startServedAgent(options: {
  files: Record<string, string>;
  /** Agent flags as on the command line, over interval 1h and status-flush 1s. */
  flags?: Record<string, string>;
  dirs: ReturnType<typeof tempDirs>;
  serve: ReturnType<typeof httpServers>["serve"];
  /** The agent's stop is pushed here for the test's afterEach. */
  stops: (() => Promise<void>)[];
}) {
  const parent = await options.dirs.make();
  const remote = await createBareRepo(parent, { files: options.files });
  const { agent, settings } = await startTestAgent({
    repo: remote.url,
    dir: parent,
    flags: { interval: "1h", "status-flush": "1s", ...options.flags },
  });
  options.stops.push(() => agent.stop());
  await agent.ready;
  const url = await options.serve(
    agentRoutes({ agent, settings, logger: silentLogger() }),
    silentLogger(),
    { redactor: agent.redactor },
  );
  return { agent, settings, url, remote };
}
