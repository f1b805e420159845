// The HTTP routes of a running agent.

import type { Logger } from "../log.js";
import { healthRoutes } from "../server/health.js";
import type { Route } from "../server/http.js";
import { jobsRoutes } from "../server/jobs.js";
import type { AgentSettings } from "../settings.js";
import type { Agent } from "./agent.js";

export function agentRoutes(options: {
  agent: Agent;
  settings: AgentSettings;
  logger: Logger;
}): Route[] {
  const { agent } = options;
  return [
    ...healthRoutes({
      lastLoopAt: () => agent.scheduler.lastLoopAt,
      ready: () => agent.isReady(),
      now: () => new Date(),
    }),
    ...jobsRoutes(() => agent.scheduler.view()),
  ];
}
