// Real Git for the source tests: a bare remote in a temp dir, a second clone that commits and
// pushes, and a smart-HTTP server (git http-backend) that can demand a token or hang.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "vitest";
import { SourceError } from "../../src/source/source.js";

const identity = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    env: { ...process.env, ...identity, GIT_TERMINAL_PROMPT: "0" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Temp folders made by a test, removed by `cleanup()` in afterEach. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(label: string): string {
      const dir = mkdtempSync(join(tmpdir(), `gitcron-source-${label}-`));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Remote {
  bare: string;
  /** The second clone that commits and pushes. */
  work: string;
  url: string;
  /** Write (string) or delete (null) files in the work clone, commit and push; returns the SHA. */
  commit(files: Record<string, string | null>, options?: CommitOptions): string;
  /** Rename a file with `git mv`, commit and push. */
  rename(from: string, to: string): string;
}

export interface CommitOptions {
  message?: string;
  /** An SSH private key to sign the commit with. */
  signWith?: string;
  /** Replace the branch's history with this one commit (a force-push). */
  orphan?: boolean;
}

export function createRemote(dir: string, options: { branch?: string } = {}): Remote {
  const branch = options.branch ?? "main";
  const bare = join(dir, "remote.git");
  const work = join(dir, "work");
  git(dir, "init", "-q", "--bare", `--initial-branch=${branch}`, bare);
  git(dir, "init", "-q", `--initial-branch=${branch}`, work);
  git(work, "remote", "add", "origin", bare);
  const finish = (options: CommitOptions): string => {
    const sign = options.signWith
      ? ["-c", "gpg.format=ssh", "-c", `user.signingkey=${options.signWith}`]
      : [];
    git(
      work,
      ...sign,
      "commit",
      "-q",
      "--allow-empty",
      ...(options.signWith ? ["-S"] : []),
      "-m",
      options.message ?? "change",
    );
    git(work, "push", "-q", "--force", "origin", `HEAD:refs/heads/${branch}`);
    return git(work, "rev-parse", "HEAD").trim();
  };
  return {
    bare,
    work,
    url: pathToFileURL(bare).href,
    commit(files, commitOptions = {}) {
      if (commitOptions.orphan) {
        git(work, "checkout", "-q", "--orphan", `rewrite-${Date.now()}`);
        git(work, "rm", "-rq", "--cached", "--ignore-unmatch", ".");
        git(work, "clean", "-qfdx");
      }
      for (const [path, content] of Object.entries(files)) {
        const file = join(work, path);
        if (content === null) {
          git(work, "rm", "-q", path);
        } else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, content);
          git(work, "add", path);
        }
      }
      return finish(commitOptions);
    },
    rename(from, to) {
      mkdirSync(dirname(join(work, to)), { recursive: true });
      git(work, "mv", from, to);
      return finish({ message: `rename ${from}` });
    },
  };
}

export interface GitHttpServer {
  /** URL of the repository `name` below `root`. */
  url(name: string): string;
  /** Authorization headers received, in order. */
  authorizations: string[];
  /** While true, requests are accepted and never answered. */
  hang: boolean;
  close(): Promise<void>;
}

/** Smart HTTP over the real `git http-backend`; with `token`, other requests get a 401. */
export async function startGitHttpServer(root: string, token?: string): Promise<GitHttpServer> {
  const hanging = new Set<ServerResponse>();
  const state: GitHttpServer = {
    url: () => "",
    authorizations: [],
    hang: false,
    close: async () => undefined,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.authorizations.push(req.headers.authorization ?? "");
    if (state.hang) {
      hanging.add(res);
      return;
    }
    const expected = token && `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method,
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        HTTP_GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        REMOTE_ADDR: "127.0.0.1",
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    cgi.on("close", () => {
      const output = Buffer.concat(chunks);
      const split = output.indexOf("\r\n\r\n");
      const head = output.subarray(0, split).toString();
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split("\r\n")) {
        const [name, ...rest] = line.split(":");
        const value = rest.join(":").trim();
        if (name?.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else if (name) headers[name] = value;
      }
      res.writeHead(status, headers).end(output.subarray(split + 4));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  state.url = (name) => `http://127.0.0.1:${port}/${name}`;
  state.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  };
  return state;
}

/** The SourceError a sync rejects with (fails the test if it resolves or throws anything else). */
export async function syncRejection(promise: Promise<unknown>): Promise<SourceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}
