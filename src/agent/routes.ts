// The HTTP routes of a running agent. Webhook and login routes exist only when their secret is
// set; run-now with a token or on a loopback listener.

import type { Logger } from "../log.js";
import { accessFor } from "../server/auth.js";
import { eventRoutes } from "../server/events.js";
import { healthRoutes } from "../server/health.js";
import { hookRoutes } from "../server/hooks.js";
import type { Route } from "../server/http.js";
import { jobsRoutes } from "../server/jobs.js";
import { createMetrics, metricsRoutes } from "../server/metrics.js";
import { pageHandlers, pageRoutes } from "../server/page.js";
import { pauseRoutes } from "../server/pause.js";
import { runLogRoutes } from "../server/run-log.js";
import { createRunLogHub } from "../server/run-log-hub.js";
import { runNowRoutes } from "../server/run-now.js";
import { createSessions } from "../server/sessions.js";
import type { AgentSettings } from "../settings.js";
import type { Agent } from "./agent.js";
import { agentPageSource } from "./page-source.js";

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
    sessions: createSessions(),
  });
  const source = agentPageSource({
    agent,
    canRun: access.canAct,
    logsIn: access.sessions !== null,
  });
  // One registry per process: prom-client's process metrics add a GC observer that stays.
  const metrics = createMetrics({
    scheduler: agent.scheduler,
    sync: agent.sync,
    revision: () => agent.revision(),
    notifications: () => agent.notifier.counters(),
    lastSuccessAt: (job) => agent.notifier.lastSuccessAt(job),
    leader: () => agent.isLeader(),
  });
  return [
    ...healthRoutes({
      lastLoopAt: () => agent.scheduler.lastLoopAt,
      ready: () => agent.isReady(),
      standby: () => !agent.isLeader(),
      now: () => new Date(),
    }),
    ...pageRoutes({ source, access }),
    ...jobsRoutes(() => agent.scheduler.view(), access, {
      runsOf: (job) => agent.status.runsOf(job),
      page: pageHandlers({ source, access }),
      problemsOf: (job) => {
        const missingEnv = agent.missingEnv().get(job);
        const held = agent.held();
        return {
          ...(missingEnv && { missingEnv }),
          // Every job runs as the applied revision has it; the newer one waits to be confirmed.
          ...(held && { heldRevision: held }),
        };
      },
    }),
    ...eventRoutes({ source, access, logger }).routes,
    ...runLogRoutes({
      hub: createRunLogHub({
        events: agent.scheduler.events,
        willRetry: (summary) => agent.scheduler.willRetry(summary),
      }),
      access,
      hasJob: (job) => agent.scheduler.has(job),
      pending: (job) => agent.scheduler.isBusy(job),
      runsOf: (job) => agent.status.runsOf(job),
    }),
    ...metricsRoutes(metrics),
    ...(settings.webhookSecret
      ? hookRoutes({
          secret: settings.webhookSecret,
          ...(settings.branch && { branch: settings.branch }),
          onPush: () => agent.requestSync(),
          logger,
        })
      : []),
    ...(access.canAct
      ? runNowRoutes({
          access,
          trigger: (name) => agent.scheduler.trigger(name, "manual"),
          stop: (name, why) => agent.scheduler.stopRun(name, why),
          logger,
        })
      : []),
    ...(access.canAct
      ? pauseRoutes({
          access,
          pauses: agent.pauses,
          hasJob: (job) => agent.scheduler.has(job),
          logger,
        })
      : []),
  ];
}
