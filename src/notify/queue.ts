// Notifications on disk before they are sent (SPEC §7): one file per notification and target,
// written atomically, removed once delivered; a crash or a receiver that is down loses none.
// Entries read back are checked whole; a malformed one is moved to corrupt/ and the rest go on.

import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { readJsonOrQuarantine, writeFileAtomic } from "../core/atomic.js";
import type { Logger } from "../log.js";
import type { JobHealth } from "./health.js";

export interface QueuedNotification {
  id: string;
  /** Target.key of the receiver. */
  target: string;
  job: string;
  event: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  /** The JSON body, redacted, exactly as it is sent. */
  json: string;
  /** The job's health after the change this tells of: a restart that finds the entry but not
   * the health saved after it picks the health up from here, and does not tell it again. None
   * for what tells of no job's health (a file rejected or fixed, ticks missed). */
  health?: JobHealth;
}

const isQueued = (v: unknown): v is QueuedNotification => {
  const q = v as Partial<QueuedNotification> | null;
  return (
    typeof q === "object" &&
    q !== null &&
    typeof q.id === "string" &&
    typeof q.target === "string" &&
    typeof q.job === "string" &&
    typeof q.event === "string" &&
    Number.isFinite(q.createdAt) &&
    Number.isSafeInteger(q.attempts) &&
    Number.isFinite(q.nextAttemptAt) &&
    typeof q.json === "string" &&
    (q.health === undefined ||
      (typeof q.health === "object" &&
        q.health !== null &&
        ["healthy", "failing", "late"].includes(q.health.state)))
  );
};

export interface NotificationQueue {
  add(
    entry: Omit<QueuedNotification, "id" | "attempts" | "nextAttemptAt">,
  ): Promise<QueuedNotification>;
  /** Every entry on disk, oldest first. */
  list(): Promise<QueuedNotification[]>;
  update(entry: QueuedNotification): Promise<void>;
  remove(entry: QueuedNotification): Promise<void>;
}

export function createNotificationQueue(dir: string, logger: Logger): NotificationQueue {
  const fileOf = (e: Pick<QueuedNotification, "createdAt" | "id">) =>
    join(dir, `${String(e.createdAt).padStart(15, "0")}_${e.id}.json`);
  let ready: Promise<unknown> | null = null;
  const ensure = () => (ready ??= mkdir(dir, { recursive: true }));
  return {
    async add(entry) {
      await ensure();
      const queued = { ...entry, id: randomUUID(), attempts: 0, nextAttemptAt: entry.createdAt };
      await writeFileAtomic(fileOf(queued), JSON.stringify(queued));
      return queued;
    },
    async list() {
      await ensure();
      const names = (await readdir(dir, { withFileTypes: true }))
        .filter((d) => d.isFile() && d.name.endsWith(".json"))
        .map((d) => d.name)
        .sort();
      const entries: QueuedNotification[] = [];
      for (const name of names) {
        const entry = await readJsonOrQuarantine(join(dir, name), logger, {
          quarantineDir: join(dir, "corrupt"),
          validate: isQueued,
        });
        if (entry) entries.push(entry);
      }
      return entries;
    },
    update: (entry) => writeFileAtomic(fileOf(entry), JSON.stringify(entry)),
    remove: (entry) => rm(fileOf(entry), { force: true }),
  };
}
