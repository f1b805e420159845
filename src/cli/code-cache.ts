// The bundle's command scripts, loaded with a V8 code cache. `gitcron run`'s script (580 KB)
// takes ~15 ms to compile and ~4 ms from the cache, and Node 20 keeps no compiled code between
// starts (module.enableCompileCache came with 22.1, and covers nothing loaded through node:vm),
// so the CLI keeps its own: the code V8 compiled during a run of a command, for its next start.
//
// The cache is a file per script in NODE_COMPILE_CACHE, else $XDG_CACHE_HOME/gitcron, else
// ~/.cache/gitcron; NODE_DISABLE_COMPILE_CACHE=1 turns it off, as for Node's own. A cache that
// cannot be read or written only costs speed.

import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadedScript {
  /** The script's module.exports. */
  exports: Record<string, unknown>;
  /** True when V8 took the cached code. */
  cached: boolean;
  /** True when the cache is to be made (again): there was none, V8 refused it, or it is a day
   * old. What V8 has compiled by then is what the cache held and what this run added, so the
   * cache comes to hold the paths a command takes: a first run that printed --help compiled
   * less than a job's run does. */
  stale: boolean;
  /** Keeps what V8 compiled so far for the next start. */
  saveCache(): void;
}

const REFRESH_MS = 24 * 3600_000;

export function cacheFolder(env: Env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  const base = env.XDG_CACHE_HOME || (env.HOME && join(env.HOME, ".cache"));
  return base ? join(base, "gitcron") : undefined;
}

/** Runs a CommonJS script as Node would require it. `digest` names its text: V8 checks its own
 * version and flags and the text's length, not the text, so a cache made for another text of the
 * same length would run that other code. */
export function loadScript(file: string, digest: string, env: Env): LoadedScript {
  const folder = cacheFolder(env);
  const cacheFile = folder && join(folder, `${basename(file)}.cache`);
  const stamp = Buffer.from(`${digest}\n`);
  const found = cacheFile ? readStamped(cacheFile, stamp) : undefined;
  const cachedData = found?.data;
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`,
    { filename: file, cachedData },
  );
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cached,
    stale:
      cacheFile !== undefined && (!cached || Date.now() - (found?.writtenAt ?? 0) > REFRESH_MS),
    saveCache() {
      if (!cacheFile) return;
      // Renamed into place: a process starting meanwhile reads the old cache or the new one.
      const partial = `${cacheFile}.${process.pid}`;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        writeFileSync(partial, Buffer.concat([stamp, script.createCachedData()]));
        renameSync(partial, cacheFile);
      } catch {
        // Read-only home, full disk: the next start compiles again.
        try {
          rmSync(partial, { force: true });
        } catch {
          // An unreadable folder: nothing was written there either.
        }
      }
    },
  };
}

/** The cache file's V8 data and when it was written, if the file is there and made for this
 * text. */
function readStamped(cacheFile: string, stamp: Buffer) {
  try {
    const data = readFileSync(cacheFile);
    if (!data.subarray(0, stamp.length).equals(stamp)) return undefined;
    return { data: data.subarray(stamp.length), writtenAt: statSync(cacheFile).mtimeMs };
  } catch {
    return undefined;
  }
}

/** Loads a command's script; its cache is written when the process exits, so that it holds the
 * code the command ran, not only what loading it compiled. */
export function loadCommandScript(file: string, digest: string): Record<string, unknown> {
  const loaded = loadScript(file, digest, process.env);
  if (loaded.stale) process.once("exit", loaded.saveCache);
  return loaded.exports;
}
