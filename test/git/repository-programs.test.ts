// No program a repository's config names ever runs through the runner: whoever can write the
// agent's data folder (jobs.git/config, the status repository) could name one in its config,
// as they could plant a hook. Each test runs the payload with git as it runs by default first,
// to show it is live, then the same commands through the runner, with real git.

import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { gitRunner } from "../../src/git/run.js";
import {
  branchTip,
  cloneRepo,
  commitFiles,
  createBareRepo,
  git,
  tempDirs,
} from "../helpers/git.js";
import { type GitHttpServer, startGitHttpServer } from "../source/helpers.js";

const temp = tempDirs("gitcron-git-programs-");
const servers: GitHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await temp.cleanup();
});

/** The environment the runner is given: none of this machine's config, a fixed identity. */
const ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "test",
  GIT_AUTHOR_EMAIL: "test@localhost",
  GIT_COMMITTER_NAME: "test",
  GIT_COMMITTER_EMAIL: "test@localhost",
};

/** Programs to name in a repository's config: each one run writes its name down, and fails. */
function programs(root: string) {
  const marker = join(root, "ran");
  return {
    async make(name: string): Promise<string> {
      const path = join(root, name);
      await writeFile(path, `#!/bin/sh\necho ${name} >> ${marker}\nexit 1\n`);
      await chmod(path, 0o755);
      return path;
    },
    /** The names of those that ran since the last call. */
    async ran(): Promise<Set<string>> {
      const text = await readFile(marker, "utf8").catch(() => "");
      await rm(marker, { force: true });
      return new Set(text.split("\n").filter(Boolean));
    },
  };
}

/** A remote over HTTP that answers 401 without the token, and a repository whose config
 * names a credential helper for every URL ("helper") and one for the remote's ("for-url"). */
async function plantedHelpers() {
  const root = await temp.make();
  await createBareRepo(root, { files: { "a.txt": "a\n" } });
  const token = "t0ken-value";
  const server = await startGitHttpServer(root, token);
  servers.push(server);
  const url = server.url("remote.git");
  const repo = join(root, "jobs.git");
  await mkdir(repo);
  await git(repo, "init", "-q", "--bare");
  const p = programs(root);
  await git(repo, "config", "credential.helper", await p.make("helper"));
  await git(repo, "config", `credential.${new URL(url).origin}.helper`, await p.make("for-url"));
  return { root, token, url, repo, p };
}

/** git as it runs by default, failing or not. */
const plainGit = (cwd: string, ...args: string[]) => git(cwd, ...args).catch(() => undefined);

describe("no program a repository's config names runs", () => {
  it("fetches, lists and pushes with git's own upload-pack and receive-pack, whatever remote.<name> or remote.<url> names", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, { files: { "a.txt": "a\n" } });
    const work = await cloneRepo(remote.url, join(root, "work"));
    const p = programs(root);
    // A remote named by its URL (as the lease remote is) reads remote.<url>.* too.
    for (const name of ["origin", remote.url]) {
      const as = name === "origin" ? "origin" : "url";
      await git(work, "config", `remote.${name}.uploadpack`, await p.make(`${as}-uploadpack`));
      await git(work, "config", `remote.${name}.receivepack`, await p.make(`${as}-receivepack`));
    }
    const commands = [
      ["fetch", "-q", "origin", "main"],
      ["ls-remote", remote.url],
      ["push", "-q", "origin", "HEAD:refs/heads/by-name"],
      ["push", "-q", remote.url, "HEAD:refs/heads/by-url"],
    ];
    for (const args of commands) await plainGit(work, ...args);
    expect(await p.ran()).toEqual(
      new Set(["origin-uploadpack", "url-uploadpack", "origin-receivepack", "url-receivepack"]),
    );

    const run = gitRunner({ env: ENV }, { cwd: work });
    for (const args of commands) await run(args);
    expect(await p.ran()).toEqual(new Set());
    expect(await branchTip(remote.dir, "by-name")).not.toBeNull();
    expect(await branchTip(remote.dir, "by-url")).not.toBeNull();
  });

  it("asks no credential helper or askpass program, and the token and a URL's credentials still work", async () => {
    const { token, url, repo, p } = await plantedHelpers();
    const withCredentials = url.replace("http://", `http://x-access-token:${token}@`);
    await git(repo, "config", "core.askPass", await p.make("askpass"));
    // Without credentials, git asks each helper, then askpass; with them in the URL, it hands
    // them to each helper to store once the server took them.
    await plainGit(repo, "ls-remote", url);
    expect(await p.ran()).toEqual(new Set(["helper", "for-url", "askpass"]));
    await plainGit(repo, "ls-remote", withCredentials);
    expect(await p.ran()).toEqual(new Set(["helper", "for-url"]));

    const run = (access: { gitToken?: string; remoteUrl?: string }) =>
      gitRunner({ env: ENV, ...access }, { cwd: repo })(["ls-remote", url]);
    // The askpass the environment names (GIT_ASKPASS=false) beats core.askPass.
    await expect(run({})).rejects.toThrow(/askpass response from 'false'/);
    expect(await run({ gitToken: token, remoteUrl: url })).toMatch(/refs\/heads\/main/);
    expect(await run({ remoteUrl: withCredentials })).toMatch(/refs\/heads\/main/);
    expect(await p.ran()).toEqual(new Set());
  });

  it("asks the user's own credential helpers, global and URL-scoped, in their order, and still none of a repository's", async () => {
    const { root, token, url, repo, p } = await plantedHelpers();
    const origin = new URL(url).origin;
    const helper = join(root, "user-helper");
    await writeFile(
      helper,
      `#!/bin/sh\necho "user-$1" >> ${join(root, "ran")}\n` +
        `[ "$1" = get ] && printf 'username=x-access-token\\npassword=${token}\\n'\nexit 0\n`,
    );
    await chmod(helper, 0o755);
    const configs = [
      // As `gh auth setup-git` writes it: the list emptied for the URL, then the user's helper.
      // It empties the plain helper before it too.
      `[credential]\n\thelper = ${await p.make("user-plain")}\n` +
        `[credential "${origin}"]\n\thelper =\n\thelper = ${helper}\n`,
      // A helper for every URL, and no list emptied: the repository's come after it.
      `[credential]\n\thelper = ${helper}\n`,
    ];
    let env = ENV;
    for (const [i, config] of configs.entries()) {
      // A file of its own: the runner reads the user's helpers once per place of config.
      const global = join(root, `gitconfig-${i}`);
      await writeFile(global, config);
      env = { ...ENV, GIT_CONFIG_GLOBAL: global };
      const plainEnv = { ...env, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
      // Plain git asks the user's helper, then hands what the server took to each helper left.
      await promisify(execFile)("git", ["ls-remote", url], { cwd: repo, env: plainEnv });
      expect(await p.ran()).toEqual(new Set(["user-get", "user-store", "helper", "for-url"]));

      const run = gitRunner({ env }, { cwd: repo });
      expect(await run(["ls-remote", url])).toMatch(/refs\/heads\/main/);
      expect(await p.ran()).toEqual(new Set(["user-get", "user-store"]));
    }
    // The token, when given, is sent first: no helper is asked.
    const withToken = gitRunner({ env, gitToken: token, remoteUrl: url }, { cwd: repo });
    expect(await withToken(["ls-remote", url])).toMatch(/refs\/heads\/main/);
    expect(await p.ran()).toEqual(new Set());
  });

  it("signs nothing, and checks a signature with git's own programs", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, { files: { "a.txt": "a\n" } });
    // A remote that takes signed pushes: a client set to sign them signs.
    await git(remote.dir, "config", "receive.certNonceSeed", "seed");
    const work = await cloneRepo(remote.url, join(root, "work"));
    const p = programs(root);
    for (const key of ["commit.gpgSign", "tag.gpgSign", "push.gpgSign"])
      await git(work, "config", key, "true");
    for (const [key, name] of [
      ["gpg.program", "gpg"],
      ["gpg.ssh.program", "ssh-keygen"],
      ["gpg.x509.program", "gpgsm"],
    ] as const)
      await git(work, "config", key, await p.make(name));
    // A commit for each kind of signature: git picks the program by the signature's armor.
    const tree = (await git(work, "rev-parse", "HEAD^{tree}")).trim();
    const signed = async (armor: string) => {
      const signature = [`-----BEGIN ${armor}-----`, "AAAA", `-----END ${armor}-----`];
      const text = `tree ${tree}\nauthor t <t@x> 1 +0000\ncommitter t <t@x> 1 +0000\ngpgsig ${signature.join("\n ")}\n\nsigned\n`;
      const file = join(root, "commit");
      await writeFile(file, text);
      return (await git(work, "hash-object", "-t", "commit", "-w", file)).trim();
    };
    // As --verify-signatures calls it (src/source/signatures.ts).
    const verify = (sha: string) => [
      ...["-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=/dev/null"],
      ...["verify-commit", sha],
    ];
    const commands: [string[], string[]][] = [
      [["commit", "-q", "--allow-empty", "-m", "c"], ["gpg"]],
      [["tag", "-m", "t", "v1"], ["gpg"]],
      [["push", "-q", "origin", "HEAD:refs/heads/pushed"], ["gpg"]],
      [verify(await signed("SSH SIGNATURE")), ["ssh-keygen"]],
      [verify(await signed("PGP SIGNATURE")), ["gpg"]],
      [verify(await signed("SIGNED MESSAGE")), ["gpgsm"]],
    ];
    for (const [args, names] of commands) {
      await plainGit(work, ...args);
      expect(await p.ran(), args.join(" ")).toEqual(new Set(names));
    }

    const gnupg = join(root, "gnupg");
    await mkdir(gnupg, { mode: 0o700 });
    const run = gitRunner({ env: { ...ENV, GNUPGHOME: gnupg } }, { cwd: work });
    for (const [args] of commands) {
      const failed = await run(args).then(
        () => false,
        () => true,
      );
      // The signatures are made up: the real programs refuse them.
      expect(failed, args.join(" ")).toBe(args.includes("verify-commit"));
      expect(await p.ran(), args.join(" ")).toEqual(new Set());
    }
    expect(await git(work, "cat-file", "commit", "HEAD")).not.toMatch(/^gpgsig/m);
    expect(await git(work, "cat-file", "tag", "v1")).not.toMatch(/BEGIN/);
    expect(await branchTip(remote.dir, "pushed")).not.toBeNull();
  });

  it("runs the ssh the environment names, GIT_SSH as GIT_SSH_COMMAND, never core.sshCommand", async () => {
    const root = await temp.make();
    const repo = join(root, "jobs.git");
    await mkdir(repo);
    await git(repo, "init", "-q", "--bare");
    const p = programs(root);
    await git(repo, "config", "core.sshCommand", await p.make("config-ssh"));
    const url = "ssh://127.0.0.1:1/r.git";
    await plainGit(repo, "ls-remote", url);
    expect(await p.ran()).toEqual(new Set(["config-ssh"]));

    const ssh = await p.make("user-ssh");
    for (const variable of ["GIT_SSH", "GIT_SSH_COMMAND"]) {
      const run = gitRunner({ env: { ...ENV, [variable]: ssh } }, { cwd: repo });
      await expect(run(["ls-remote", url])).rejects.toThrow();
      expect(await p.ran(), variable).toEqual(new Set(["user-ssh"]));
    }
  });

  it("runs no ext:: command, git:// proxy or alternate-refs command", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, { files: { "a.txt": "a\n" } });
    const repo = join(root, "jobs.git");
    await mkdir(repo);
    await git(repo, "init", "-q", "--bare");
    await git(repo, "remote", "add", "origin", remote.url);
    const p = programs(root);
    await git(repo, "config", "protocol.ext.allow", "always");
    await git(repo, "config", "core.gitProxy", await p.make("git-proxy"));
    const alternate = join(root, "alternate.git");
    await mkdir(alternate);
    await git(alternate, "init", "-q", "--bare");
    await writeFile(join(repo, "objects", "info", "alternates"), `${alternate}/objects\n`);
    await git(repo, "config", "core.alternateRefsCommand", await p.make("alternate-refs"));
    const ext = `ext::${await p.make("ext")}`;
    const commands = [
      ["ls-remote", ext],
      ["ls-remote", "git://127.0.0.1:1/r.git"],
      ["fetch", "-q", "origin", "main"],
    ];
    for (const args of commands) await plainGit(repo, ...args);
    expect(await p.ran()).toEqual(new Set(["ext", "git-proxy", "alternate-refs"]));

    // Something new to fetch: a fetch with nothing to bring asks for no refs of alternates.
    await commitFiles(join(root, "remote-seed"), { "b.txt": "b\n" }, "more");
    await git(join(root, "remote-seed"), "push", "-q", "origin", "HEAD:refs/heads/main");
    const run = gitRunner({ env: ENV }, { cwd: repo });
    await expect(run(commands[0] as string[])).rejects.toThrow(/transport 'ext' not allowed/);
    await expect(run(commands[1] as string[])).rejects.toThrow();
    await run(commands[2] as string[]);
    expect(await p.ran()).toEqual(new Set());
  });
});
