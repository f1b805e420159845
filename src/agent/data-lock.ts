// One agent per data folder (SPEC §3): a folder repository has no remote to hold a lease in,
// and two agents writing one outbox, cursors and status repository would corrupt them. The
// folder holds agent.lock naming the agent's host and pid, touched every 10 s; another agent
// finding it held — by a live process on this host, or touched lately from another host (a
// folder shared over the network) — ends with exit 2.

import { readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { EnvironmentError } from "../errors.js";

const TOUCH_MS = 10_000;
const STALE_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the data folder; the returned function gives it back. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, "agent.lock");
  const me = { host: hostname(), pid: process.pid };
  const held = await readFile(file, "utf8").then(
    (text) => ({ text, at: Date.now() }),
    () => null,
  );
  if (held) {
    let other: { host?: unknown; pid?: unknown } = {};
    try {
      other = JSON.parse(held.text) as typeof other;
    } catch {
      // a half-written lock is no one's
    }
    const touched = (await stat(file).catch(() => null))?.mtimeMs ?? 0;
    const sameHost = other.host === me.host;
    const pid = typeof other.pid === "number" ? other.pid : null;
    const live = sameHost
      ? pid !== null && pid !== me.pid && alive(pid)
      : held.at - touched < STALE_MS;
    if (live)
      throw new EnvironmentError(
        `another agent (${String(other.host)}, pid ${String(pid)}) uses the data folder ${dir}; give each agent its own --data-dir`,
      );
  }
  await writeFile(file, `${JSON.stringify(me)}\n`);
  const timer = setInterval(() => {
    const now = new Date();
    void utimes(file, now, now).catch(() => undefined);
  }, TOUCH_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await rm(file, { force: true });
  };
}
