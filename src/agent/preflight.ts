// What is asked before the agent starts anything, so that it never half-starts: the engine
// (and the runs the previous agent left in it), and — with no saved jobs to keep running — the
// remote, once: a typo in --repo or --branch, or refused credentials, stops it (exit 2) rather
// than retry for ever. An agent with saved jobs (restarted during an outage, say) keeps
// running them and retries.

import { EnvironmentError, oneLine } from "../errors.js";
import type { ExistingRun, Runtime } from "../runtime/runtime.js";
import { type Source, SourceError } from "../source/source.js";
import type { WrongSetting } from "../source/source-error.js";

const FIX: Record<WrongSetting, string> = {
  repository: "check --repo",
  branch: "check --branch, or leave it out for the remote's default branch",
  credentials: "check the credentials",
};

/** The engine answers, and lists the runs that outlived the previous agent (labelled with
 * this agent's id: agents of other repositories may share the engine): their jobs start no
 * second run, and their end is recorded once. */
export async function engineRuns(
  runtime: Pick<Runtime, "ping" | "list">,
  agentId: string,
): Promise<ExistingRun[]> {
  try {
    await runtime.ping();
    return await runtime.list(agentId);
  } catch (err) {
    throw new EnvironmentError(oneLine(err));
  }
}

export async function refuseWrongRemote(source: Source): Promise<void> {
  if (!source.probe) return;
  try {
    await source.probe();
  } catch (err) {
    const wrong = err instanceof SourceError ? err.wrongSetting : undefined;
    if (!wrong) return; // The network: the sync loop retries and says so.
    await source.close();
    throw new EnvironmentError(
      `cannot sync ${source.description}: ${oneLine(err).replace(`${source.description}: `, "")}; ${FIX[wrong]}`,
    );
  }
}
