// `gitcron agent`: settings from flags and GITCRON_* variables, the agent, its HTTP side,
// and a clean shutdown on SIGTERM / SIGINT.

import { startAgent } from "../agent/agent.js";
import { agentRoutes } from "../agent/routes.js";
import { createLogger, logDestination } from "../log.js";
import { createRuntime } from "../runtime/create.js";
import { agentRedactor } from "../secrets/held.js";
import { startHttpServer } from "../server/http.js";
import { exposureWarning } from "../server/run-now.js";
import { flagOptions, resolveSettings, settingsHelp } from "../settings.js";
import { type Command, parseFlags } from "./command.js";

const help = `Usage: gitcron agent [flags]

The long-running agent: pulls the repository, validates every job file, runs each job's
container on its schedule (never two runs of one job at once) and commits a summary of
every run to the status branch. Every flag can also be set by its environment variable;
the flag wins.

Flags:
${settingsHelp()}

Environment: GITCRON_GIT_TOKEN (https Git credentials), DOCKER_HOST, DOCKER_CONFIG.
Signals: SIGTERM or SIGINT start nothing new, wait up to 30s for running runs, push the
outbox and exit 0; runs still going are adopted by the next start.
`;

export const command: Command = {
  name: "agent",
  summary: "the long-running agent",
  help,
  async run(argv, io) {
    const { values } = parseFlags(argv, flagOptions(), false);
    const settings = resolveSettings(values, io.env, io.cwd);
    // One redactor for every way out: the log, the status branch, HTTP (SPEC §4).
    const redactor = agentRedactor(settings, io.env);
    const logger = createLogger({
      destination: await logDestination(settings.logFormat, redactor.redact),
    });
    const runtime = await createRuntime(settings.runtime, { logger });
    const agent = await startAgent({ settings, logger, runtime, env: io.env, redactor });
    const http = await startHttpServer({
      ...settings.listen,
      routes: agentRoutes({ agent, settings, logger }),
      logger,
      redactor,
    });
    logger.info(
      {
        listen: `${http.address.host}:${http.address.port}`,
        repo: agent.sourceDescription,
        agent: agent.agentId,
        runtime: runtime.kind,
        redacting: redactor.size,
      },
      "agent started",
    );
    const exposed = exposureWarning(settings.listen.host, settings);
    if (exposed) logger.warn(exposed);

    const stopped = new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, "stopping: no new runs; waiting up to 30s for running runs");
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        resolve();
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    });
    await stopped;
    await agent.stop();
    await http.close();
    logger.info("agent stopped");
    logger.flush();
    // Runs still going hold engine connections open; they are left to the next start, so
    // the process must not wait for them.
    process.exit(0);
  },
};
