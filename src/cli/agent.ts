// `gitcron agent`: settings from flags and GITCRON_* variables, the agent, its HTTP side,
// and a clean shutdown on SIGTERM / SIGINT. Start-up checks everything it can before anything
// is scheduled (SPEC §3, "Start-up"); an unexpected internal error stops the agent the way
// SIGTERM does and exits non-zero, so a supervisor restarts it and the next start adopts runs.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Agent, startAgent } from "../agent/agent.js";
import { agentRoutes } from "../agent/routes.js";
import { EnvironmentError, oneLine } from "../errors.js";
import { createLogger, logDestination } from "../log.js";
import { parseTargets } from "../notify/targets.js";
import { createRuntime } from "../runtime/create.js";
import { agentRedactor, shortSecretsWarning } from "../secrets/held.js";
import { startHttpServer } from "../server/http.js";
import { exposureWarning } from "../server/run-now.js";
import { type AgentSettings, flagOptions, resolveSettings, settingsHelp } from "../settings.js";
import { classifyRepo, normalizeJobsPath } from "../source/job-files.js";
import { type Command, parseFlags } from "./command.js";

/** Exit code of an agent that stopped itself on an internal error (sysexits' EX_SOFTWARE). */
export const INTERNAL_ERROR_EXIT = 70;
/** The longest the orderly stop after an internal error may take before the process ends. */
const CRASH_STOP_LIMIT_MS = 45_000;

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
Exit codes: 0 stopped by a signal; 2 a setting that cannot work (a bad flag, --listen taken,
a --repo folder that does not exist, Docker unreachable; with no jobs saved in --data-dir, a
remote that says the repository or branch does not exist or refuses the credentials, or a
--path missing from the first revision), before anything is scheduled;
${INTERNAL_ERROR_EXIT} an internal error, after the same orderly stop as SIGTERM.
`;

/** A local --repo (and its --path) and --status-repo must exist: a typo would otherwise retry
 * forever. */
function checkLocalRepo(settings: AgentSettings): void {
  if (settings.statusRepo && classifyRepo(settings.statusRepo).type === "folder")
    throw new EnvironmentError(
      `--status-repo ${settings.statusRepo} is not a Git repository: give a Git URL or a local repository (git init --bare)`,
    );
  const kind = classifyRepo(settings.repo);
  if (kind.type !== "folder") return;
  if (!existsSync(kind.folder))
    throw new EnvironmentError(
      `--repo ${kind.folder} does not exist: give a Git URL, a local repository or a folder of job files`,
    );
  const jobs = join(kind.folder, normalizeJobsPath(settings.path));
  if (!existsSync(jobs) || !statSync(jobs).isDirectory())
    throw new EnvironmentError(`--path ${settings.path} is not a folder inside ${kind.folder}`);
}

type Ending = { signal: NodeJS.Signals } | { crash: unknown };

/** A second Ctrl-C (or SIGTERM) during the stop: 128 + SIGINT, as shells report an interrupt. */
const SECOND_SIGNAL_EXIT = 130;

/** Resolves with the first signal or internal error; from the first moment, so that an error
 * during start-up is an orderly stop too. A signal after the first calls `onAnother`. The same
 * listeners stay for the process's life: none is removed and added again between the two. */
function awaitEnding(): { ended: Promise<Ending>; onAnother(act: () => void): void } {
  let end: ((e: Ending) => void) | null = null;
  let another: () => void = () => {};
  const ended = new Promise<Ending>((resolve) => {
    end = resolve;
  });
  const finish = (e: Ending) => {
    const first = end;
    end = null;
    first?.(e);
  };
  const onSignal = (signal: NodeJS.Signals) => (end ? finish({ signal }) : another());
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  process.on("uncaughtException", (crash: unknown) => finish({ crash }));
  process.on("unhandledRejection", (crash: unknown) => finish({ crash }));
  return {
    ended,
    onAnother(act) {
      another = act;
    },
  };
}

export const command: Command = {
  name: "agent",
  summary: "the long-running agent",
  help,
  async run(argv, io) {
    const { values } = parseFlags(argv, flagOptions(), false);
    const settings = resolveSettings(values, io.env, io.cwd);
    checkLocalRepo(settings);
    parseTargets(settings.notify);
    // One redactor for every way out: the log, the status branch, HTTP (SPEC §4).
    const redactor = agentRedactor(settings, io.env);
    const logger = createLogger({
      level: io.env.GITCRON_LOG_LEVEL,
      destination: await logDestination(settings.logFormat, redactor.redact),
    });
    const { ended, onAnother } = awaitEnding();
    // Bound before anything is scheduled: a taken port ends the start-up, not a running agent.
    const http = await startHttpServer({ ...settings.listen, logger, redactor });
    let agent: Agent;
    try {
      const runtime = await createRuntime(settings.runtime, { logger, env: io.env });
      agent = await startAgent({ settings, logger, runtime, env: io.env, redactor });
    } catch (err) {
      await http.close();
      throw err;
    }
    http.setRoutes(agentRoutes({ agent, settings, logger }));
    logger.info(
      {
        listen: `${http.address.host}:${http.address.port}`,
        repo: agent.sourceDescription,
        agent: agent.agentId,
        runtime: settings.runtime,
        redacting: redactor.size,
      },
      "agent started",
    );
    for (const warning of [
      exposureWarning(settings.listen.host, settings),
      shortSecretsWarning(settings, io.env),
    ])
      if (warning) logger.warn(warning);

    const ending = await Promise.race([ended, agent.fatal.then((fatal) => ({ fatal }))]);
    if ("fatal" in ending) {
      // Nothing was scheduled (the agent had no saved jobs): stop it and say why, exit 2.
      await agent.stop();
      await http.close();
      logger.flush();
      throw ending.fatal;
    }
    const runningJobs = () =>
      agent.scheduler
        .view()
        .flatMap((v) => (v.running ? [v.spec.name] : []))
        .sort();
    onAnother(() => {
      const { pending } = agent.status.counters();
      logger.warn(
        { leftRunning: runningJobs().length, unpushed: pending },
        pending > 0
          ? "second signal: exiting now; runs still going are adopted by the next start, and runs not yet pushed wait in the outbox for it"
          : "second signal: exiting now; runs still going are adopted by the next start; every recorded run was pushed",
      );
      logger.flush();
      process.exit(SECOND_SIGNAL_EXIT);
    });
    if ("signal" in ending) {
      const running = runningJobs();
      logger.info(
        { signal: ending.signal, running },
        running.length > 0
          ? "stopping: no new runs; waiting up to 30s for the runs still going (a second signal exits at once)"
          : "stopping: no new runs",
      );
    } else {
      logger.error(
        { err: oneLine(ending.crash) },
        "internal error: stopping as on SIGTERM; the next start adopts runs still going",
      );
      // Whatever happens during the stop, the process ends.
      setTimeout(() => process.exit(INTERNAL_ERROR_EXIT), CRASH_STOP_LIMIT_MS).unref();
    }
    await agent.stop();
    await http.close();
    logger.info("agent stopped");
    logger.flush();
    // Runs still going hold engine connections open; they are left to the next start, so
    // the process must not wait for them.
    process.exit("signal" in ending ? 0 : INTERNAL_ERROR_EXIT);
  },
};
