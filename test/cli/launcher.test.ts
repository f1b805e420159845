// The `gitcron` command is a shell script (src/cli/launcher.sh) that starts the bundle. Node 20
// loads NODE_EXTRA_CA_CERTS as it starts (~50 ms of each start with a system bundle), so a
// command that opens no TLS connection starts Node without it, and gitcron puts it back into
// its environment for the programs it starts. A preloaded probe records the variable as Node
// starts and as gitcron exits; the `node` on PATH is this test's.

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LAUNCHER, type Ran } from "../helpers/cli.js";

const CERTS = "/etc/ssl/certs/some-company-ca.pem";
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "gitcron-launcher-"));
  const bin = path.join(dir, "bin");
  await mkdir(bin);
  await symlink(process.execPath, path.join(bin, "node"));
  const probe = path.join(dir, "probe.cjs");
  await writeFile(
    probe,
    `const { appendFileSync } = require("node:fs");
const seen = (when) => appendFileSync(process.env.PROBE_OUT, when + "=" + (process.env.NODE_EXTRA_CA_CERTS ?? "-") + "," + (process.env.GITCRON_NODE_EXTRA_CA_CERTS ?? "-") + "\\n");
seen("start");
process.on("exit", () => seen("exit"));
`,
  );
  await mkdir(path.join(dir, "jobs dir"));
  await writeFile(
    path.join(dir, "jobs dir", "ok.yaml"),
    'schedule: "0 3 * * *"\nimage: alpine:3\n',
  );
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && !e[0].startsWith("GITCRON_") && e[0] !== "DOCKER_HOST",
    ),
  );
  env = {
    ...inherited,
    PATH: `${bin}:${process.env.PATH}`,
    NODE_OPTIONS: `--require ${probe}`,
    NODE_EXTRA_CA_CERTS: CERTS,
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let probes = 0;
async function launch(
  args: string[],
  extra: Record<string, string> = {},
  command = LAUNCHER,
): Promise<Ran & { seen: Record<string, string> }> {
  const out = path.join(dir, `probe-${probes++}.txt`);
  const ran = await new Promise<Ran>((resolve) =>
    execFile(command, args, { cwd: dir, env: { ...env, ...extra, PROBE_OUT: out } }, (e, o, r) =>
      resolve({ code: e ? Number(e.code) : 0, stdout: o, stderr: r }),
    ),
  );
  const lines = (await readFile(out, "utf8")).trim().split("\n");
  const seen = Object.fromEntries(lines.map((l) => l.split("=") as [string, string]));
  return { ...ran, seen };
}

describe("the gitcron command", () => {
  test("starts Node without NODE_EXTRA_CA_CERTS for a command with no TLS, and puts it back", async () => {
    const ran = await launch(["validate", "jobs dir/ok.yaml"]);
    expect(ran.stdout).toMatch(/1 file, 0 errors/);
    expect(ran.seen).toEqual({ start: `-,${CERTS}`, exit: `${CERTS},-` });
  });

  test("`run` on the local socket starts without it; on a tcp:// engine (TLS may need it) with it", async () => {
    const local = await launch(["run", "missing.yaml"]);
    expect(local.code).toBe(2);
    expect(local.seen.start).toBe(`-,${CERTS}`);
    const remote = await launch(["run", "missing.yaml"], { DOCKER_HOST: "tcp://127.0.0.1:2376" });
    expect(remote.seen.start).toBe(`${CERTS},-`);
  });

  test("a command that may reach an agent or a Git remote over TLS starts with it", async () => {
    for (const command of ["trigger", "status", "agent", "plan", "logs", "stop", "pause"]) {
      const ran = await launch([command, "--help"]);
      expect(ran.code, command).toBe(0);
      expect(ran.seen, command).toEqual({ start: `${CERTS},-`, exit: `${CERTS},-` });
    }
  });

  test("runs through a link from another folder, as npm installs it, with arguments intact", async () => {
    const link = path.join(dir, "bin", "gitcron");
    await symlink(LAUNCHER, link);
    const ran = await launch(["validate", "--format", "json", "jobs dir/ok.yaml"], {}, link);
    expect(JSON.parse(ran.stdout)).toMatchObject({ files: 1, issues: [] });
  });
});
