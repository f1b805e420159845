// An agent in the test's own process, on a real repository and the real Docker engine.

import { type Agent, startAgent } from "../../src/agent/agent.js";
import { type Logger, silentLogger } from "../../src/log.js";
import { createDockerRuntime } from "../../src/runtime/docker.js";
import { type AgentSettings, resolveSettings } from "../../src/settings.js";

/** Listens on a free port; its data folder is `<dir>/data`; `flags` as on the command line. */
export async function startTestAgent(options: {
  repo: string;
  dir: string;
  /** As on the command line; a repeated flag (--notify) is a list. */
  flags?: Record<string, string | string[]>;
  /** Default: silent. */
  logger?: Logger;
  /** The agent's environment, where fromEnv reads. Default: empty. */
  env?: Record<string, string>;
}): Promise<{ agent: Agent; settings: AgentSettings }> {
  const settings = resolveSettings(
    {
      repo: options.repo,
      "data-dir": `${options.dir}/data`,
      listen: "127.0.0.1:0",
      ...options.flags,
    },
    {},
    options.dir,
  );
  const logger = options.logger ?? silentLogger();
  const agent = await startAgent({
    settings,
    logger,
    runtime: createDockerRuntime({ env: process.env, logger, stopGraceMs: 1_000 }),
    env: options.env ?? {},
    shutdownGraceMs: 10_000,
  });
  return { agent, settings };
}
