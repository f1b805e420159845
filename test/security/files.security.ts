// Hostile job files, committed as a pull-request author would and fetched by a real agent
// process from a real bare repository: a link to the agent's secrets, files that used to freeze
// every sync, and names and keys written to forge the status README. Each test first shows the
// payload is live (what a reader that follows links, or a renderer without the escaper, gets),
// then that the agent and `validate` refuse it and nothing of it leaves.

import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { gitRunner } from "../../src/git/run.js";
import { faultHooks, jobYaml, until } from "../faults/helpers/world.js";
import { gitcron } from "../helpers/cli.js";
import { git, readFileAt } from "../helpers/git.js";
import { canaries, leaks } from "./helpers.js";

const hooks = faultHooks();

/** Commits links (path → target) and files in the world's clone and pushes. */
async function pushEntries(
  work: string,
  entries: { links?: Record<string, string>; files?: Record<string, string | null> },
  message: string,
) {
  for (const [path, target] of Object.entries(entries.links ?? {}))
    symlinkSync(target, join(work, path));
  for (const [path, content] of Object.entries(entries.files ?? {})) {
    if (content === null) await git(work, "rm", "-q", path);
    else {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), content);
    }
  }
  await git(work, "add", "-A");
  await git(work, "commit", "-q", "-m", message);
  await git(work, "push", "-q", "origin", "HEAD:main");
}

describe("attack 1: a job file linked to the agent's secrets", () => {
  it("is file.symlink in the agent and in validate; its target is never read, no secret leaves", async () => {
    const w = await hooks.world("sec-symlink", (p) => ({
      [`${p}-ok.yaml`]: jobYaml("*/2 * * * * *", "echo ok"),
    }));
    const secrets = canaries();
    // A host file that reads as a job, with a secret in it: a reader that follows the link
    // parses it and quotes it in its errors.
    const hostFile = w.dir("host-token.yaml");
    writeFileSync(hostFile, `schedule: "${secrets.values.apiToken}"\nimage: x\n`);
    await pushEntries(
      w.work,
      {
        links: {
          [`${w.prefix}-leak.yaml`]: hostFile,
          [`${w.prefix}-environ.yaml`]: "/proc/self/environ",
        },
      },
      "two links",
    );
    // The payload is live: anything that reads the working tree gets the secret.
    expect(readFileSync(join(w.work, `${w.prefix}-leak.yaml`), "utf8")).toContain(
      secrets.values.apiToken,
    );

    const agent = await hooks.agent(w, {
      env: secrets.env,
      flags: { "api-token": secrets.values.apiToken },
    });
    // ... and for the agent's own environment.
    expect(readFileSync(`/proc/${agent.pid}/environ`, "utf8")).toContain(secrets.values.gitToken);

    const state = await until("both links rejected", async () => {
      const s = await w.state();
      return s && s.rejected.length === 2 && (await w.runsOf(`${w.prefix}-ok`)).length > 0
        ? s
        : undefined;
    });
    expect(state.rejected.map((r) => [r.file, r.issues.map((i) => i.rule)])).toEqual([
      [`${w.prefix}-environ.yaml`, ["file.symlink"]],
      [`${w.prefix}-leak.yaml`, ["file.symlink"]],
    ]);
    expect(
      await leaks(secrets.all, {
        remoteDir: w.remote.dir,
        agent,
        port: agent.port,
        token: secrets.values.apiToken,
      }),
    ).toEqual({});

    // validate, so the Action, refuses both with exit 1; the target is not quoted.
    const ran = await gitcron(["validate", w.work]);
    expect(ran.code).toBe(1);
    expect(ran.stdout.match(/\[file\.symlink\]/g)).toHaveLength(2);
    expect(ran.stdout + ran.stderr).not.toContain(secrets.values.apiToken);

    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "job file linked to a secret": 2 });
  });
});

describe("attack 6: one bad file used to freeze every change", () => {
  it("an overflowing value and links to a folder, to nothing and to /dev/zero reject only themselves", async () => {
    const w = await hooks.world("sec-freeze", (p) => ({
      [`${p}-keep.yaml`]: jobYaml("*/2 * * * * *", "echo before"),
      [`${p}-gone.yaml`]: jobYaml("0 0 1 1 *", "true"),
    }));
    const agent = await hooks.agent(w);
    await until("the first run", async () =>
      (await w.runsOf(`${w.prefix}-keep`)).length > 0 ? true : undefined,
    );
    const folder = w.dir("a-folder");
    await git(w.parent, "init", "-q", folder);
    await pushEntries(
      w.work,
      {
        links: {
          [`${w.prefix}-folder.yaml`]: folder,
          [`${w.prefix}-dangling.yaml`]: "/nonexistent/job.yaml",
          [`${w.prefix}-zero.yaml`]: "/dev/zero",
        },
        files: {
          [`${w.prefix}-memory.yaml`]: jobYaml(
            "0 0 1 1 *",
            "true",
            "resources: { memory: 99999999Ti }\n",
          ),
          // In the same revision: a change and a removal that must still apply.
          [`${w.prefix}-keep.yaml`]: jobYaml("*/2 * * * * *", "echo after"),
          [`${w.prefix}-gone.yaml`]: null,
        },
      },
      "four bad files, one change, one removal",
    );
    const state = await until("the change applied beside the bad files", async () => {
      const s = await w.state();
      const after = (await w.runsOf(`${w.prefix}-keep`)).some((r) => r.logTail === "after");
      return s && after && !s.jobs[`${w.prefix}-gone`] ? s : undefined;
    });
    expect(state.rejected.map((r) => [r.file, r.issues.map((i) => i.rule)])).toEqual([
      [`${w.prefix}-dangling.yaml`, ["file.symlink"]],
      [`${w.prefix}-folder.yaml`, ["file.symlink"]],
      [`${w.prefix}-memory.yaml`, ["resources.memory"]],
      [`${w.prefix}-zero.yaml`, ["file.symlink"]],
    ]);
    expect(state.syncErrors.count).toBe(0);

    // A fresh agent on this revision becomes ready (once the first gave its lease up: of two
    // agents of one repository, only the leader is ready).
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    const fresh = await hooks.agent(w, { data: "fresh" });
    await until("the fresh agent ready", async () =>
      (await fresh.get("/readyz")) === 200 ? true : undefined,
    );

    // validate names each file once and does not crash.
    const ran = await gitcron(["validate", w.work]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).not.toContain("internal error");
    expect(ran.stdout).toMatch(/memory\.yaml:4:22: error: memory size "99999999Ti" is too large/);
    expect(ran.stdout.match(/\[file\.symlink\]/g)).toHaveLength(3);

    fresh.signal("SIGTERM");
    await fresh.exited;
    await w.finish({ "files that froze every sync": 4 });
  });
});

describe("attack 6b: files of tens of thousands of keys, under the size cap", () => {
  it("are judged while the agent keeps answering and ticking; what the branch says of them stays small", async () => {
    const w = await hooks.world("sec-keys", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const agent = await hooks.agent(w);
    await until("the first run", async () =>
      (await w.runsOf(`${w.prefix}-tick`)).length > 0 ? true : undefined,
    );
    const bomb = `schedule: "@daily"\nimage: busybox\n${Array.from({ length: 28_000 }, (_, i) => `k: ${i}`).join("\n")}\n`;
    const files = Object.fromEntries([1, 2, 3, 4].map((n) => [`${w.prefix}-keys-${n}.yaml`, bomb]));
    // /healthz asked every 100 ms all along, each answer awaited up to 2 s.
    const answers: number[] = [];
    let judged = false;
    const probe = (async () => {
      while (!judged) {
        answers.push(await agent.get("/healthz"));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await pushEntries(w.work, { files }, "four files of 28,000 keys");
    const state = await until(
      "the four files rejected",
      async () => {
        const s = await w.state();
        return s?.rejected.length === 4 ? s : undefined;
      },
      60_000,
    );
    judged = true;
    await probe;
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((code) => code !== 200)).toEqual([]);
    for (const rejected of state.rejected) {
      expect(rejected.issues).toHaveLength(21);
      expect(rejected.issues.at(-1)?.message).toBe(
        "27979 more findings in this file are not listed (27979 of them errors)",
      );
    }
    const stateText = await readFileAt(w.remote.dir, "gitcron-status", "state.json");
    expect(stateText?.length).toBeLessThan(64 * 1024);
    const readme = await readFileAt(w.remote.dir, "gitcron-status", "README.md");
    expect(readme?.length).toBeLessThan(64 * 1024);
    // The tick job kept running through it.
    const ranSince = await until("a run after the push", async () =>
      (await w.runsOf(`${w.prefix}-tick`)).length > 1 ? true : undefined,
    );
    expect(ranSince).toBe(true);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "files of 28,000 keys": 4 });
  });
});

describe("attack 6c: a small repository of large files", () => {
  it("1,000 job files of 250 KB (a repository of a few hundred KB) load in an agent given 160 MB of heap", async () => {
    const w = await hooks.world("sec-memory", (p) => ({ "README.md": `${p}\n` }));
    const padding = Array.from({ length: 2_900 }, (_, i) => `# padding ${i} ${"x".repeat(70)}`);
    const files = 1_000;
    // One commit of 1,000 files through fast-import, without writing 250 MB to disk.
    const chunks: string[] = ["commit refs/heads/main\ncommitter t <t@t> 0 +0000\ndata 5\nmany\n"];
    chunks.push(`from ${(await git(w.work, "rev-parse", "HEAD")).trim()}\n`);
    for (let n = 0; n < files; n++) {
      const text = `${jobYaml("0 0 1 1 *", "true")}${padding.join("\n")}\n# ${n}\n`;
      chunks.push(
        `M 100644 inline ${w.prefix}-big-${n}.yaml\ndata ${Buffer.byteLength(text)}\n${text}\n`,
      );
    }
    await gitRunner({ env: process.env }, { cwd: w.work })(["fast-import", "--quiet"], {
      input: chunks.join(""),
    });
    await git(w.work, "push", "-q", "origin", "main");
    // The payload, as the remote holds it: a quarter GB of files in a repository of a few MB.
    const sizes = (await git(w.remote.dir, "ls-tree", "-r", "-l", "main"))
      .split("\n")
      .filter((line) => line.includes("-big-"))
      .map((line) => Number(line.split(/\s+/)[3]));
    expect(sizes).toHaveLength(files);
    expect(Math.min(...sizes)).toBeGreaterThan(240_000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(240_000_000);
    const packed = await git(w.remote.dir, "count-objects", "-v");
    const kib =
      Number(/size-pack: (\d+)/.exec(packed)?.[1]) + Number(/^size: (\d+)/m.exec(packed)?.[1]);
    expect(kib).toBeLessThan(4 * 1024);

    const agent = await hooks.agent(w, { env: { NODE_OPTIONS: "--max-old-space-size=160" } });
    const applied = await agent.waitForLog((l) => l.msg === "sync applied", 90_000);
    expect(applied.jobs).toBe(files);
    expect(await agent.get("/healthz")).toBe(200);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "files of 250 KB in a small repository": files });
  });
});

describe("attack 7: names and keys written to forge the status README", () => {
  it("a file name with newlines, HTML and links, and hostile keys, are shown as text", async () => {
    // A name cannot hold "//", but folders can hold the rest: "https:/host/" is read by
    // browsers as https://host/.
    const forged = "# Owned [login](https:/evil.example/) <img src=https:/evil.example/i.png>";
    const w = await hooks.world("sec-markdown", (p) => ({
      [`${p}-ok.yaml`]: jobYaml("*/2 * * * * *", "echo ok"),
    }));
    const evilName = `${w.prefix}-x\n${forged}\n.yaml`;
    await pushEntries(
      w.work,
      {
        files: {
          [evilName]: jobYaml("0 0 1 1 *", "true"),
          [`${w.prefix}-keys.yaml`]: `${jobYaml("0 0 1 1 *", "true")}"![](https://evil.example/k.png)": 1\n"<script>alert(1)</script>": 2\n`,
        },
      },
      "forged names",
    );
    // The payload is live: Git holds the name with its newlines, so written into Markdown as it
    // is, one of its lines is a heading of its own, with a link and an image from another host.
    const names = (await git(w.remote.dir, "ls-tree", "-r", "-z", "--name-only", "main")).split(
      "\0",
    );
    expect(names).toContain(evilName);

    const agent = await hooks.agent(w);
    const { readme, rejected } = await until("both files rejected on the README", async () => {
      const s = await w.state();
      if (!s || s.rejected.length < 2) return undefined;
      const text = await readFileAt(w.remote.dir, "gitcron-status", "README.md");
      return text ? { readme: text, rejected: s.rejected.map((r) => r.file) } : undefined;
    });
    // The agent got the payload as Git holds it, newlines and all: the forged line is one of
    // the lines of a rejected file's name.
    expect(rejected.flatMap((file) => file.split("\n"))).toContain(forged);
    const headings = readme.split("\n").filter((l) => /^\s{0,3}#/.test(l));
    expect(headings).toEqual(["# gitcron status (`gitcron-status`)", "## Rejected files"]);
    const outsideCode = readme.replace(/(`+)[^`].*?\1/g, "");
    expect(outsideCode).not.toMatch(/<img|<script|(?<!\\)\]\(/);
    expect(readme).toContain("file.name");
    expect(readme).toContain("&lt;script&gt;");

    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "forged names and keys": 2 });
  });
});
