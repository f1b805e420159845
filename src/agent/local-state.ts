// Files the agent keeps in --data-dir between restarts: the last good spec per file (so an
// invalid file after a restart still leaves its job running), the newest handled tick per
// job (so missed ticks can be counted) and the retries waiting for their backoff (so a restart
// does not drop them).

import type { Logger } from "../log.js";
import type { GoodSpec, Rejection } from "../plan/desired.js";
import { readJsonOrQuarantine, writeFileAtomic } from "../status/atomic.js";

export interface AppliedState {
  version: 1;
  /** Changes when settings that affect validation change; a mismatch forces a full re-read. */
  settingsKey: string;
  revision: string | null;
  specs: [string, GoodSpec][];
  /** The files rejected at `revision`: a restart on the same revision reads no file again,
   * and must still know (and show, and not tell as fixed) what is rejected. */
  rejected?: Rejection[];
}

export type Cursors = Record<string, string>;

export interface JsonFile<T> {
  load(): Promise<T | null>;
  /** Coalesced: a burst of calls becomes one write; at most one write in flight. */
  save(make: () => T): void;
  /** Resolves when the latest requested save is on disk. */
  flush(): Promise<void>;
}

/** `validate`: what a T must look like; a file that fails it is set aside, as if missing. */
export function jsonFile<T>(
  path: string,
  logger: Logger,
  validate: (value: unknown) => value is T,
): JsonFile<T> {
  let pending: (() => T) | null = null;
  let writing: Promise<void> | null = null;

  const drain = async () => {
    while (pending) {
      const make = pending;
      pending = null;
      try {
        await writeFileAtomic(path, JSON.stringify(make()));
      } catch (err) {
        logger.error({ err, path }, "could not save agent state");
      }
    }
    writing = null;
  };

  return {
    load: () => readJsonOrQuarantine<T>(path, logger, { validate }),
    save(make) {
      pending = make;
      writing ??= Promise.resolve().then(drain);
    },
    async flush() {
      while (writing) await writing;
    },
  };
}
