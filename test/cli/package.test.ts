// gitcron installed as users install a CLI: the packed tarball installed globally into an
// empty prefix, then run from the PATH; and through npx. The package has no dependencies (the
// bundle carries them), so the install needs nothing from a registry.

import { execFile } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDirs } from "../helpers/git.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const dirs = tempDirs("gitcron-package-");
let tarball = "";
let prefix = "";

/** The environment of a user whose PATH holds the prefix's bin folder, and nothing of ours. */
const userEnv = () => ({
  PATH: `${prefix}/bin:${process.env.PATH}`,
  HOME: prefix,
  npm_config_cache: join(prefix, ".npm"),
  npm_config_audit: "false",
  npm_config_fund: "false",
});

beforeAll(async () => {
  const packed = await dirs.make("pack-");
  await run("npm", ["pack", "--silent", "--pack-destination", packed], { cwd: ROOT });
  const [name] = (await readdir(packed)).filter((f) => f.endsWith(".tgz"));
  tarball = join(packed, name as string);
  prefix = await dirs.make("prefix-");
  await run("npm", ["install", "--global", "--prefix", prefix, "--offline", tarball], {
    env: { ...process.env, ...userEnv() },
  });
}, 120_000);
afterAll(() => dirs.cleanup());

describe("the packed package", () => {
  it("installs globally with no dependencies and puts gitcron on the PATH", async () => {
    const installed = await readdir(join(prefix, "lib/node_modules/gitcron"));
    expect(installed.sort()).toEqual(["README.md", "dist", "package.json", "schema"]);
    const { stdout } = await run("gitcron", ["--version"], { env: userEnv() });
    expect(stdout).toMatch(/^gitcron \d+\.\d+\.\d+\n$/);
  });

  it("validates job files from the PATH", async () => {
    const jobs = await dirs.make("jobs-");
    await writeFile(join(jobs, "hello.yaml"), 'schedule: "@daily"\nimage: busybox:1\n');
    const { stdout } = await run("gitcron", ["validate", jobs], { env: userEnv(), cwd: jobs });
    expect(stdout).toBe("1 file, 0 errors, 0 warnings\n");
    const bad = await run("gitcron", ["validate", "--format", "json", "/nonexistent-folder"], {
      env: userEnv(),
    }).catch((err: { code: number; stderr: string }) => err);
    expect(bad).toMatchObject({ code: 2 });
  });

  it("runs through npx from the tarball", async () => {
    const { stdout } = await run("npx", ["--yes", "--package", tarball, "gitcron", "--version"], {
      env: { ...process.env, ...userEnv() },
    });
    expect(stdout).toMatch(/^gitcron \d+\.\d+\.\d+\n$/);
  });
});
