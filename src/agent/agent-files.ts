// The files the agent keeps in --data-dir between restarts, opened and read back at start-up:
// the applied revision and its good specs, each job's handled instant, the waiting retries.

import { join } from "node:path";
import { type JsonFile, jsonFile } from "../core/json-file.js";
import type { Logger } from "../log.js";
import type { PendingRetry } from "../scheduler/scheduler.js";
import type { AppliedState, Cursors } from "./local-state.js";
import { isAppliedState, isCursors, isPendingRetries } from "./local-state-shape.js";

export interface AgentFiles {
  applied: JsonFile<AppliedState>;
  cursors: JsonFile<Cursors>;
  retries: JsonFile<PendingRetry[]>;
  /** What they held at start-up. */
  saved: { applied: AppliedState | null; cursors: Cursors; retries: PendingRetry[] };
  flush(): Promise<void>;
}

export async function openAgentFiles(dataDir: string, logger: Logger): Promise<AgentFiles> {
  const applied = jsonFile(join(dataDir, "applied.json"), logger, isAppliedState);
  const cursors = jsonFile(join(dataDir, "cursors.json"), logger, isCursors);
  const retries = jsonFile(join(dataDir, "retries.json"), logger, isPendingRetries);
  return {
    applied,
    cursors,
    retries,
    saved: {
      applied: await applied.load(),
      cursors: (await cursors.load()) ?? {},
      retries: (await retries.load()) ?? [],
    },
    flush: async () => {
      await Promise.all([cursors.flush(), retries.flush(), applied.flush()]);
    },
  };
}
