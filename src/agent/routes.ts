// The HTTP routes of a running agent. Webhook and run-now routes exist only when their
// secret is set.

import type { Logger } from "../log.js";
import { accessFor } from "../server/auth.js";
import { healthRoutes } from "../server/health.js";
import { hookRoutes } from "../server/hooks.js";
import type { Route } from "../server/http.js";
import { jobsRoutes } from "../server/jobs.js";
import { createMetrics, metricsRoutes } from "../server/metrics.js";
import { runNowRoutes } from "../server/run-now.js";
import type { AgentSettings } from "../settings.js";
import type { Agent } from "./agent.js";

export function agentRoutes(options: {
  agent: Agent;
  settings: AgentSettings;
  logger: Logger;
}): Route[] {
  const { agent, settings, logger } = options;
  const access = accessFor({
    token: settings.apiToken,
    listenHost: settings.listen.host,
    logger: logger.child({ stage: "http" }),
  });
  // One registry per process: prom-client's process metrics add a GC observer that stays.
  const metrics = createMetrics({
    scheduler: agent.scheduler,
    sync: agent.sync,
    revision: () => agent.revision(),
    notifications: () => agent.notifier.counters(),
    lastSuccessAt: (job) => agent.notifier.lastSuccessAt(job),
  });
  return [
    ...healthRoutes({
      lastLoopAt: () => agent.scheduler.lastLoopAt,
      ready: () => agent.isReady(),
      now: () => new Date(),
    }),
    ...jobsRoutes(() => agent.scheduler.view(), access),
    ...metricsRoutes(metrics),
    ...(settings.webhookSecret
      ? hookRoutes({
          secret: settings.webhookSecret,
          ...(settings.branch && { branch: settings.branch }),
          onPush: () => agent.requestSync(),
          logger,
        })
      : []),
    ...(settings.apiToken
      ? runNowRoutes({
          access,
          trigger: (name) => agent.scheduler.trigger(name, "manual"),
          logger,
        })
      : []),
  ];
}
