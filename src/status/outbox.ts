// Finished runs go here first, one file each, before anything is pushed: a crash, a full
// disk elsewhere or a remote that is down for a day loses nothing. Entries leave the outbox
// only after the status branch holds them.

import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  quarantine,
  readJsonOrQuarantine,
  syncDir,
  TEMP_SUFFIX,
  targetOfTemp,
  writeFileAtomic,
} from "../core/atomic.js";
import type { Logger } from "../log.js";
import type { RunSummary } from "./summary.js";
import { isRunSummary } from "./summary-shape.js";

export interface OutboxEntry {
  /** The file name: sorts by finish time, then run id, then outcome. */
  id: string;
  summary: RunSummary;
}

export interface Outbox {
  readonly dir: string;
  /** Resolves once the summary is durably on disk. */
  append(summary: RunSummary): Promise<OutboxEntry>;
  /** Pending entries, oldest first. Half-written or corrupt files are moved to `corrupt/`. */
  list(): Promise<OutboxEntry[]>;
  remove(ids: Iterable<string>): Promise<void>;
}

/** The instant a summary is ordered by: when it finished, else when it was due. */
export const summaryTime = (s: RunSummary): string => s.finishedAt ?? s.scheduledAt;

const ENDED = new Set(["succeeded", "failed", "timeout", "error", "stopped"]);

/** What makes two summaries the same record: a retry is another attempt, a skipped tick
 * another outcome, so neither is ever taken for the other. A run ends once, whatever the
 * outcome: two agents of one repository that both followed it record it once. */
export const recordKey = (s: RunSummary): string =>
  ENDED.has(s.outcome) ? `${s.run}#${s.attempt}` : `${s.run}#${s.attempt}#${s.outcome}`;

const SAFE = /[^A-Za-z0-9._-]/g;

export function entryId(s: RunSummary): string {
  const stamp = new Date(summaryTime(s)).toISOString().replace(/[-:]/g, "");
  return `${stamp}_${s.run.replace(SAFE, "_")}_${s.attempt}_${s.outcome}.json`;
}

export function createOutbox(options: { dir: string; logger: Logger }): Outbox {
  const { dir, logger } = options;
  const corruptDir = join(dir, "corrupt");
  let ready: Promise<void> | null = null;
  // Entries being written now: a temp file of one of these is ours, not a crash's leftover
  // (an append may start while list() is reading the folder).
  const writing = new Map<string, number>();
  // list() waits for the writes already going when it is called, so it sees them whole.
  const inFlight = new Set<Promise<unknown>>();
  const ownTemp = (name: string) => (writing.get(targetOfTemp(name) ?? "") ?? 0) > 0;
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true }).then(() => undefined);
    return ready;
  };

  return {
    dir,
    async append(summary) {
      const id = entryId(summary);
      writing.set(id, (writing.get(id) ?? 0) + 1);
      const write = ensureDir().then(() =>
        writeFileAtomic(join(dir, id), `${JSON.stringify(summary)}\n`),
      );
      inFlight.add(write);
      try {
        await write;
      } finally {
        inFlight.delete(write);
        const left = (writing.get(id) ?? 1) - 1;
        if (left > 0) writing.set(id, left);
        else writing.delete(id);
      }
      return { id, summary };
    },

    async list() {
      await ensureDir();
      await Promise.allSettled([...inFlight]);
      const names = (await readdir(dir, { withFileTypes: true }))
        .filter((d) => d.isFile())
        .map((d) => d.name)
        .sort();
      const entries: OutboxEntry[] = [];
      for (const name of names) {
        if (name.endsWith(TEMP_SUFFIX)) {
          if (ownTemp(name)) continue;
          const movedTo = await quarantine(join(dir, name), corruptDir);
          logger.warn({ file: name, movedTo }, "half-written outbox file set aside");
          continue;
        }
        if (!name.endsWith(".json")) continue;
        const summary = await readJsonOrQuarantine(join(dir, name), logger, {
          quarantineDir: corruptDir,
          validate: isRunSummary,
        });
        if (summary) entries.push({ id: name, summary });
      }
      return entries;
    },

    async remove(ids) {
      let removed = 0;
      for (const id of ids) {
        await rm(join(dir, id), { force: true });
        removed++;
      }
      if (removed > 0) await syncDir(dir);
    },
  };
}
