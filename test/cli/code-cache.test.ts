// The loader of the bundle's command scripts: a script runs as Node would require it, and the
// code V8 compiled for it is kept for the next start, in a folder the environment names.

import { readdir, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { cacheFolder, loadScript } from "../../src/cli/code-cache.js";
import { tempDirs } from "../helpers/git.js";

const dirs = tempDirs("gitcron-code-cache-");
afterAll(() => dirs.cleanup());

/** A script that uses what a CommonJS module is given, and a function compiled only when called. */
async function script(text = "module.exports.twice = (n) => n * 2;") {
  const dir = await dirs.make("script-");
  const file = join(dir, "command.cjs");
  await writeFile(
    file,
    `"use strict";\nconst { basename } = require("node:path");\nmodule.exports.where = basename(__dirname) + "/" + basename(__filename);\n${text}\n`,
  );
  return { dir, file };
}

describe("loadScript", () => {
  test("runs the script with CommonJS's exports, require, module, __filename and __dirname", async () => {
    const { dir, file } = await script();
    const loaded = loadScript(file, "d1", { NODE_DISABLE_COMPILE_CACHE: "1" });
    const exports = loaded.exports as { where: string; twice: (n: number) => number };
    expect(exports.where).toBe(`${dir.split("/").pop()}/command.cjs`);
    expect(exports.twice(21)).toBe(42);
  });

  test("keeps the compiled code, and the next load takes it", async () => {
    const { file } = await script();
    const env = { NODE_COMPILE_CACHE: join(await dirs.make("cache-"), "deeper") };
    const first = loadScript(file, "d1", env);
    expect(first.cached).toBe(false);
    expect((first.exports.twice as (n: number) => number)(2)).toBe(4);
    first.saveCache();
    expect(await readdir(env.NODE_COMPILE_CACHE)).toEqual(["command.cjs.cache"]);

    const second = loadScript(file, "d1", env);
    expect(second).toMatchObject({ cached: true, stale: false });
    expect((second.exports.twice as (n: number) => number)(5)).toBe(10);
  });

  test("a day-old cache is made again, with what it held and what this run compiled", async () => {
    const { file } = await script();
    const env = { NODE_COMPILE_CACHE: await dirs.make("cache-") };
    const cacheFile = join(env.NODE_COMPILE_CACHE, "command.cjs.cache");
    // A first run that never called twice().
    loadScript(file, "d1", env).saveCache();
    const thin = await stat(cacheFile);
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    await utimes(cacheFile, dayAgo, dayAgo);

    const later = loadScript(file, "d1", env);
    expect(later).toMatchObject({ cached: true, stale: true });
    (later.exports.twice as (n: number) => number)(1);
    later.saveCache();
    const made = await stat(cacheFile);
    expect(made.size).toBeGreaterThan(thin.size);
    expect(loadScript(file, "d1", env)).toMatchObject({ cached: true, stale: false });
  });

  test("a script of another digest compiles anew, even at the same length", async () => {
    const { file } = await script("module.exports.twice = (n) => n * 2;");
    const env = { NODE_COMPILE_CACHE: await dirs.make("cache-") };
    loadScript(file, "d1", env).saveCache();
    // The same length: V8's own check would take the old code.
    await writeFile(
      file,
      `"use strict";\nconst { basename } = require("node:path");\nmodule.exports.where = basename(__dirname) + "/" + basename(__filename);\nmodule.exports.twice = (n) => n * 3;\n`,
    );
    const changed = loadScript(file, "d2", env);
    expect(changed.cached).toBe(false);
    expect((changed.exports.twice as (n: number) => number)(2)).toBe(6);
    changed.saveCache();
    expect(loadScript(file, "d2", env).cached).toBe(true);
  });

  test("NODE_DISABLE_COMPILE_CACHE leaves no cache", async () => {
    const { file } = await script();
    const folder = await dirs.make("cache-");
    const env = { NODE_COMPILE_CACHE: folder, NODE_DISABLE_COMPILE_CACHE: "1" };
    const loaded = loadScript(file, "d1", env);
    expect(loaded).toMatchObject({ cached: false, stale: false });
    loaded.saveCache();
    expect(await readdir(folder)).toEqual([]);
  });

  test("a cache that cannot be written only costs speed", async () => {
    const { file } = await script();
    const blocked = join(await dirs.make("cache-"), "a-file");
    await writeFile(blocked, "not a folder");
    const env = { NODE_COMPILE_CACHE: join(blocked, "cache") };
    const loaded = loadScript(file, "d1", env);
    expect(() => loaded.saveCache()).not.toThrow();
    expect(loadScript(file, "d1", env).exports.twice).toBeTypeOf("function");
  });
});

test("the cache folder: NODE_COMPILE_CACHE, else the user's cache folder, else none", () => {
  expect(cacheFolder({ NODE_COMPILE_CACHE: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/c");
  expect(cacheFolder({ XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/x/gitcron");
  expect(cacheFolder({ HOME: "/h" })).toBe("/h/.cache/gitcron");
  expect(cacheFolder({})).toBeUndefined();
  expect(cacheFolder({ NODE_DISABLE_COMPILE_CACHE: "1", HOME: "/h" })).toBeUndefined();
});
