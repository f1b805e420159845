// A JSON file kept between restarts: read back checked (a malformed one is set aside, as if
// missing), written atomically, a burst of saves coalesced into one write.

import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "../log.js";
import { readJsonOrQuarantine, writeFileAtomic } from "./atomic.js";

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
  let folderMade = false;

  const drain = async () => {
    while (pending) {
      const make = pending;
      pending = null;
      try {
        // Its folder may not be there yet: a standby's notify/ appears when it first leads.
        if (!folderMade) await mkdir(dirname(path), { recursive: true });
        folderMade = true;
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
