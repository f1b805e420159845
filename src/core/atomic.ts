// Files that must survive a crash at any instant: written whole or not at all, and read
// without ever crashing the agent on what a crash (or a person) left behind.

import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Logger } from "../log.js";

/** Temporary files carry this suffix, so a reader can tell a half-written file from a real one. */
export const TEMP_SUFFIX = ".tmp";

/** The file name a temp file of writeFileAtomic is being written for
 * (`.<name>.<8 hex>.tmp` → `<name>`), or undefined when it is not one. */
export const targetOfTemp = (name: string): string | undefined =>
  /^\.(.+)\.[0-9a-f]{8}\.tmp$/.exec(name)?.[1];

/** Temp file, fsync, rename over the target, fsync the folder: after a crash the target holds
 * either the old content or the new, never a mix, and the rename itself is durable. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomUUID().slice(0, 8)}${TEMP_SUFFIX}`);
  // targetOfTemp reads this name back.
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface ReadJsonOptions<T> {
  /** Where an unreadable file is moved; default: beside it, as `<name>.corrupt-<time>`. */
  quarantineDir?: string;
  /** Rejects content that parses but is not a T (a truncated object, a hand edit). */
  validate?: (value: unknown) => value is T;
}

/** The parsed file, or null when it does not exist. A file that does not parse (or fails
 * `validate`) is moved aside and logged, and null is returned: a corrupt file never crashes
 * the agent and is kept for a person to look at. */
export async function readJsonOrQuarantine<T>(
  path: string,
  logger: Logger,
  options: ReadJsonOptions<T> = {},
): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let problem: string;
  try {
    const value: unknown = JSON.parse(text);
    if (!options.validate || options.validate(value)) return value as T;
    problem = "content is not of the expected shape";
  } catch (err) {
    problem = (err as Error).message;
  }
  const movedTo = await quarantine(path, options.quarantineDir);
  logger.warn({ file: path, movedTo, problem }, "corrupt file set aside");
  return null;
}

/** Moves a file out of the way under a name that never overwrites an earlier one. */
export async function quarantine(path: string, quarantineDir?: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:.]/g, "");
  const target = quarantineDir
    ? join(quarantineDir, `${basename(path)}.${stamp}`)
    : `${path}.corrupt-${stamp}`;
  if (quarantineDir) await mkdir(quarantineDir, { recursive: true });
  await rename(path, target);
  return target;
}
