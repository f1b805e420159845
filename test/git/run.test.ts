// The one git runner, with real git: the environment every command gets, what it returns, and
// how it fails (in git's words, without credentials; silent too long; stopped).

import { spawn } from "node:child_process";
import { chmod, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readBlobs } from "../../src/git/batch.js";
import { gitEnvironment } from "../../src/git/environment.js";
import { GitError, gitRunner } from "../../src/git/run.js";
import { eventually } from "../helpers/docker.js";
import { cloneRepo, commitFiles, createBareRepo, git, tempDirs } from "../helpers/git.js";

const temp = tempDirs("gitcron-git-run-");
afterEach(() => temp.cleanup());

/** The config git is given through its environment, as key → value. */
const configOf = (env: Record<string, string>) =>
  Object.fromEntries(
    Array.from({ length: Number(env.GIT_CONFIG_COUNT) }, (_, i) => [
      env[`GIT_CONFIG_KEY_${i}`],
      env[`GIT_CONFIG_VALUE_${i}`],
    ]),
  );

describe("the environment git runs with", () => {
  const base = { PATH: "/usr/bin", EDITOR: "vim", GIT_PAGER: "less" };

  it("never prompts, runs no hook or fsmonitor, and drops interactive-only variables", () => {
    const env = gitEnvironment({ env: base });
    expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "false", PATH: "/usr/bin" });
    expect(env.EDITOR).toBeUndefined();
    expect(env.GIT_PAGER).toBeUndefined();
    expect(env.GIT_SSH_COMMAND).toBe("ssh -o BatchMode=yes");
    expect(configOf(env)).toMatchObject({
      "core.hooksPath": "/dev/null",
      "core.fsmonitor": "false",
    });
  });

  it("runs the user's GIT_SSH as a command, which no core.sshCommand beats", () => {
    expect(gitEnvironment({ env: { GIT_SSH: "/opt/it's/ssh" } }).GIT_SSH_COMMAND).toBe(
      `'/opt/it'\\''s/ssh'`,
    );
    const both = { GIT_SSH: "/a/ssh", GIT_SSH_COMMAND: "ssh -i key" };
    expect(gitEnvironment({ env: both }).GIT_SSH_COMMAND).toBe("ssh -i key");
  });

  it("scopes the token header to the https origin, after config the user already set", () => {
    const env = gitEnvironment({
      env: { ...base, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "a.b", GIT_CONFIG_VALUE_0: "c" },
      remoteUrl: "https://user@example.com:8443/acme/r.git",
      gitToken: "t0ken",
    });
    const count = Number(env.GIT_CONFIG_COUNT);
    expect(env.GIT_CONFIG_KEY_0).toBe("a.b");
    // The URL's user information reaches git here, never in argv or .git/config.
    expect(env[`GIT_CONFIG_KEY_${count - 2}`]).toBe(
      "url.https://user@example.com:8443/acme/r.git.insteadOf",
    );
    expect(env[`GIT_CONFIG_VALUE_${count - 2}`]).toBe("https://example.com:8443/acme/r.git");
    expect(env[`GIT_CONFIG_KEY_${count - 1}`]).toBe("http.https://example.com:8443/.extraHeader");
    expect(env[`GIT_CONFIG_VALUE_${count - 1}`]).toBe(
      `Authorization: Basic ${Buffer.from("x-access-token:t0ken").toString("base64")}`,
    );
  });

  it("sends no token to ssh remotes, nor without a remote", () => {
    const basic = Buffer.from("x-access-token:t0ken").toString("base64");
    for (const remoteUrl of ["git@example.com:acme/r.git", undefined]) {
      const env = gitEnvironment({ env: base, gitToken: "t0ken", ...(remoteUrl && { remoteUrl }) });
      expect(JSON.stringify(env)).not.toContain(basic);
    }
  });

  it("names the user's own credential helpers again after emptying the list, in git's order, and no repository's", async () => {
    const root = await temp.make();
    const global = join(root, "gitconfig");
    // Empty values, a URL with dots and upper case, a value over two lines, and a key without
    // a value (git refuses it as a helper: not named again).
    await writeFile(
      global,
      [
        "[credential]",
        "\thelper = plain",
        "\tuseHttpPath = true",
        '[credential "https://Git.Example.com/a.b"]',
        "\thelper =",
        '\thelper = "two\\nlines"',
        "\thelper",
        "",
      ].join("\n"),
    );
    const repo = join(root, "repo.git");
    await git(root, "init", "-q", "--bare", repo);
    await git(repo, "config", "credential.helper", "planted");
    const env = {
      ...process.env,
      GIT_CONFIG_GLOBAL: global,
      // Config the user's environment gives is theirs too.
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "credential.https://env.example.helper",
      GIT_CONFIG_VALUE_0: "from-env",
    };
    const run = gitRunner({ env }, { cwd: repo });
    const shown = await run(["config", "--show-scope", "--get-regexp", "^credential\\..*helper$"]);
    const url = "credential.https://Git.Example.com/a.b.helper";
    expect(shown.split("\n")).toEqual([
      "global\tcredential.helper plain",
      `global\t${url} `,
      `global\t${url} two`,
      "lines",
      `global\t${url}`,
      "local\tcredential.helper planted",
      "command\tcredential.https://env.example.helper from-env",
      "command\tcredential.helper ",
      "command\tcredential.helper plain",
      `command\t${url} `,
      `command\t${url} two`,
      "lines",
      "command\tcredential.https://env.example.helper from-env",
      "",
    ]);
    // git reads the URL's subsection back as written: the list it asks for that URL.
    const helpers = (target: string) =>
      run(["config", "--get-urlmatch", "credential.helper", target]).catch(() => "");
    expect(await helpers("https://git.example.com/a.b/r.git")).toBe("two\nlines\n");
    expect(await helpers("https://other.example.com/")).toBe("plain\n");
  });

  it("names no helper again when the user has no global config or it cannot be read", async () => {
    const root = await temp.make();
    const repo = join(root, "repo.git");
    await git(root, "init", "-q", "--bare", repo);
    const { HOME: _home, XDG_CONFIG_HOME: _xdg, ...rest } = process.env;
    for (const env of [
      { ...rest, GIT_CONFIG_GLOBAL: join(root, "none") },
      // No HOME: git reads no global config.
      rest,
      // A folder: git warns that it cannot read it.
      { ...rest, GIT_CONFIG_GLOBAL: root },
    ]) {
      const run = gitRunner({ env }, { cwd: repo });
      const shown = await run(["config", "--show-scope", "--get-regexp", "^credential\\."]);
      expect(shown).toBe("command\tcredential.helper \n");
    }
  });

  it("is the one it is given, not this process's", async () => {
    const run = gitRunner({ env: { ...process.env, GIT_AUTHOR_NAME: "Given Name" } });
    expect(await run(["var", "GIT_AUTHOR_IDENT"])).toMatch(/^Given Name /);
  });
});

describe("a git command", () => {
  it("returns stdout as text or bytes, and reads its input", async () => {
    const dir = await temp.make();
    const run = gitRunner({ env: process.env }, { cwd: dir });
    await run(["init", "-q", "--bare"]);
    const oid = (await run(["hash-object", "-w", "--stdin"], { input: "hello\n" })).trim();
    expect(await run.bytes(["cat-file", "blob", oid])).toEqual(Buffer.from("hello\n"));
  });

  it("runs no hook and no fsmonitor program, whatever the repository holds", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, { files: { "a.txt": "a\n" } });
    const work = await cloneRepo(remote.url, join(root, "work"));
    const marker = join(root, "ran");
    const script = (name: string) => `#!/bin/sh\necho ${name} >> ${marker}\nexit 1\n`;
    for (const hook of ["reference-transaction", "post-checkout"]) {
      await writeFile(join(work, ".git", "hooks", hook), script(hook));
      await chmod(join(work, ".git", "hooks", hook), 0o755);
    }
    await writeFile(join(root, "fsmonitor"), script("fsmonitor"));
    await chmod(join(root, "fsmonitor"), 0o755);
    await git(work, "config", "core.fsmonitor", join(root, "fsmonitor"));
    const run = gitRunner({ env: process.env }, { cwd: work });
    await run(["status", "--porcelain"]);
    await run(["update-ref", "refs/heads/probe", "HEAD"]);
    await run(["checkout", "-q", "probe"]);
    await expect(readFile(marker, "utf8")).rejects.toThrow(/ENOENT/);
    // The payload is live: git as it runs by default runs both.
    await git(work, "status", "--porcelain");
    await git(work, "update-ref", "refs/heads/probe2", "HEAD").catch(() => undefined);
    const ran = new Set((await readFile(marker, "utf8")).trim().split("\n"));
    expect(ran).toEqual(new Set(["fsmonitor", "reference-transaction"]));
  });

  it("fails in git's first line, without a URL's credentials or the token", async () => {
    const dir = await temp.make();
    const run = gitRunner({ env: process.env, gitToken: "t0ken-value" }, { cwd: dir });
    await run(["init", "-q"]);
    for (const [name, shown] of [
      ["http://bob:hunter2@example.com/r.git", "http://***@example.com/r.git"],
      ["t0ken-value", "***"],
    ]) {
      const err = await run(["checkout", name as string]).catch((e) => e);
      expect(err).toBeInstanceOf(GitError);
      expect(err.message).toBe(
        `git checkout failed: error: pathspec '${shown}' did not match any file(s) known to git`,
      );
      expect(err.details).toMatchObject({ kind: "failed", verb: "checkout", code: 1 });
      expect(JSON.stringify(err.details)).not.toMatch(/hunter2|t0ken-value/);
    }
  });

  it("names the command after -c and -C, and says when git printed nothing", async () => {
    const dir = await temp.make();
    const run = gitRunner({ env: process.env });
    await run(["-C", dir, "init", "-q"]);
    const err = await run(["-c", "a.b=c", "-C", dir, "rev-parse", "--verify", "-q", "nope"]).catch(
      (e) => e,
    );
    expect(err.message).toBe("git rev-parse failed: exit code 1");
  });

  describe("against a server that never answers", () => {
    let server: Server;
    let url: string;
    const sockets: Socket[] = [];
    afterEach(() => {
      for (const s of sockets.splice(0)) s.destroy();
      return new Promise((done) => server.close(done));
    });
    const listen = async () => {
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/r.git`;
    };

    it("is killed once silent for its timeout", async () => {
      await listen();
      const started = Date.now();
      const err = await gitRunner({ env: process.env, timeoutMs: 500 })(["ls-remote", url]).catch(
        (e) => e,
      );
      expect(err.message).toBe("git ls-remote timed out: no answer for 1 s");
      expect(err.details.kind).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    /** The processes whose command line names `text` (git, its remote helper). */
    const processesNaming = async (text: string) => {
      const found: string[] = [];
      for (const pid of await readdir("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        if (cmdline.includes(text)) found.push(cmdline.replaceAll("\0", " ").trim());
      }
      return found;
    };
    const noneLeft = (text: string) =>
      eventually(async () => ((await processesNaming(text)).length === 0 ? true : undefined));

    it("leaves nothing it started running once killed: git's remote helper goes with it", async () => {
      await listen();
      await gitRunner({ env: process.env, timeoutMs: 500 })(["ls-remote", url]).catch(() => null);
      // The helper blocked on the socket outlived a git killed alone, until the server let go.
      await noneLeft(url);
    });

    it("Ctrl-C of the process reaches git, which is in a group of its own", async () => {
      await listen();
      const runner = new URL("../../dist/git/run.js", import.meta.url).href;
      const child = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { gitRunner } = await import(${JSON.stringify(runner)});
           await gitRunner({ env: process.env })(["ls-remote", ${JSON.stringify(url)}]);`,
        ],
        { stdio: "ignore" },
      );
      const exited = new Promise((done) => child.once("exit", (_code, signal) => done(signal)));
      await eventually(async () =>
        (await processesNaming(url)).some((p) => p.includes("remote-http")) ? true : undefined,
      );
      child.kill("SIGINT");
      // It dies of the interrupt, as without a listener of its own, and so do git and its helper.
      expect(await exited).toBe("SIGINT");
      await noneLeft(url);
    });

    it("is stopped by its signal, with the signal's reason", async () => {
      await listen();
      const signal = AbortSignal.timeout(300);
      const err = await gitRunner({ env: process.env })(["ls-remote", url], { signal }).catch(
        (e) => e,
      );
      expect(err.message).toMatch(/^git ls-remote stopped: /);
      expect(err.details.kind).toBe("stopped");
      expect(err.details.reason).toBe(signal.reason);
    });
  });
});

describe("reading blobs", () => {
  it("gives each blob by id in one batch, leaving out trees and unknown ids", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, { files: { "a.txt": "x\ny\nz", "e.txt": "" } });
    const work = await cloneRepo(remote.url, join(root, "work"));
    await commitFiles(work, { "d/b.txt": "b\n" }, "more");
    const oid = async (rev: string) => (await git(work, "rev-parse", rev)).trim();
    const [a, e, tree] = [await oid("HEAD:a.txt"), await oid("HEAD:e.txt"), await oid("HEAD:d")];
    const blobs = await readBlobs(gitRunner({ env: process.env }, { cwd: work }), [
      a,
      tree,
      "f".repeat(40),
      e,
    ]);
    expect([...blobs].map(([id, data]) => [id, data.toString()])).toEqual([
      [a, "x\ny\nz"],
      [e, ""],
    ]);
  });
});
