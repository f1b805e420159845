// The source over smart HTTP (the real git http-backend): tokens and a remote that hangs.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createSource, type Source } from "../../src/source/source.js";
import {
  createRemote,
  type GitHttpServer,
  git,
  startGitHttpServer,
  syncRejection,
  tempDirs,
} from "./helpers.js";

const dirs = tempDirs();
const sources: Source[] = [];
const servers: GitHttpServer[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  dirs.cleanup();
});

const TOKEN = "ghp_s3cretTokenValue42";

async function served(token?: string) {
  const dir = dirs.make("http");
  const remote = createRemote(dir);
  const sha = remote.commit({ "a.yaml": "a: 1\n" });
  const server = await startGitHttpServer(dir, token);
  servers.push(server);
  return { remote, sha, server, url: server.url("remote.git") };
}

function httpSource(options: { repo: string; gitToken?: string; timeoutMs?: number }) {
  const dataDir = dirs.make("data");
  const source = createSource({
    env: process.env,
    path: ".",
    dataDir,
    logger: silentLogger(),
    ...options,
  });
  sources.push(source);
  return { source, dataDir };
}

describe("git source over https", () => {
  it("sends GITCRON_GIT_TOKEN as a header and never writes it to .git/config, errors or the description", async () => {
    const { url, sha, server } = await served(TOKEN);
    const { source, dataDir } = httpSource({ repo: url, gitToken: TOKEN });

    expect((await source.sync(null)).revision).toBe(sha);

    const header = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;
    expect(server.authorizations).toContain(header);
    const config = readFileSync(join(dataDir, "jobs.git", "config"), "utf8");
    expect(config).toContain(url);
    expect(config).not.toContain(TOKEN);
    expect(config).not.toContain(header.slice(6));
    expect(source.description).not.toContain(TOKEN);

    const wrong = httpSource({ repo: url, gitToken: "wrong-token-value" });
    const err = await syncRejection(wrong.source.sync(null));
    expect(err.retryable).toBe(true);
    expect(err.message).not.toContain("wrong-token-value");
  });

  it("sends credentials written in the URL, and writes them neither to .git/config nor to argv", async () => {
    const { url, sha, server } = await served(TOKEN);
    const withCredentials = url.replace("http://", `http://x-access-token:${TOKEN}@`);
    const { source, dataDir } = httpSource({ repo: withCredentials });
    expect((await source.sync(null)).revision).toBe(sha);
    // The server asked for them and got them: they were there to be written down.
    expect(server.authorizations).toContain(
      `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`,
    );
    const config = readFileSync(join(dataDir, "jobs.git", "config"), "utf8");
    expect(config).toContain(`url = ${url}`);
    expect(config).not.toContain(TOKEN);
    // A second sync reads the same clone: the stored URL is the one it expects.
    expect((await source.sync(sha)).changes).toEqual([]);
  });

  it("fails at once, without prompting, when the remote wants credentials and none are given", async () => {
    const { url } = await served(TOKEN);
    const started = performance.now();
    const err = await syncRejection(httpSource({ repo: url }).source.sync(null));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(err.message).toMatch(/ls-remote failed/);
  });

  it("keeps credentials written in the URL out of the description and the errors", async () => {
    const { url } = await served(TOKEN);
    const withCredentials = url.replace("http://", "http://deploy:pw-in-url-123@");
    const { source } = httpSource({ repo: withCredentials });
    expect(source.description).toContain("http://***@127.0.0.1");
    expect(source.description).not.toContain("pw-in-url-123");
    const err = await syncRejection(source.sync(null));
    expect(err.message).not.toContain("pw-in-url-123");
  });

  it("cuts off a fetch that hangs within the timeout, retryable, and keeps the checkout", async () => {
    const { url, sha, server, remote } = await served();
    const { source, dataDir } = httpSource({ repo: url, timeoutMs: 1000 });
    const good = await source.sync(null);
    remote.commit({ "a.yaml": "a: 2\n" });

    server.hang = true;
    const started = performance.now();
    const err = await syncRejection(source.sync(good.revision));
    const elapsed = performance.now() - started;

    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/git fetch timed out: no answer for 1 s/);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    // The hard deadline (3 × the timeout) would say so in the message; this is the silence timeout.
    expect(elapsed).toBeLessThan(3000);
    expect(git(join(dataDir, "jobs.git"), "rev-parse", "refs/remotes/origin/main").trim()).toBe(
      sha,
    );

    server.hang = false;
    const back = await source.sync(good.revision);
    expect(back.changes).toEqual([{ path: "a.yaml", kind: "modified" }]);
  });

  it("stops a sync when the caller's signal aborts or the source is closed", async () => {
    const { url, server } = await served();
    const { source } = httpSource({ repo: url, timeoutMs: 30_000 });
    server.hang = true;
    const controller = new AbortController();
    const pending = source.sync(null, controller.signal);
    setTimeout(() => controller.abort(), 200);
    const err = await syncRejection(pending);
    expect(err.message).toMatch(/stopped: the sync was cancelled/);

    // close() stops a sync in flight too, and waits for it.
    const inFlight = syncRejection(source.sync(null));
    await source.close();
    expect((await inFlight).message).toMatch(/stopped: the sync was cancelled/);
  });
});
