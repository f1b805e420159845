// How the Action reads the status branch: through a throwaway repository, one blob-less fetch of
// the tip and state.json's blob alone. The checkout is left as it was (its config, its shallow
// file, its objects), the run journal is not downloaded, and the credentials actions/checkout
// left in the checkout's config (an http.<url>.extraheader) still reach the remote.

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readActiveJobs } from "../../src/action/status-branch.js";
import { cloneRepo, commitFiles, createBareRepo, git, tempDirs } from "../helpers/git.js";
import { type GitHttpServer, startGitHttpServer } from "../source/helpers.js";

const temp = tempDirs("gitcron-action-read-");
const servers: GitHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await temp.cleanup();
});

// No machine or user config: nothing but the checkout's own config gives a header.
const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

const state = (specHash: string) =>
  `${JSON.stringify({ version: 1, revision: "r1", jobs: { report: { specHash, file: "report.yaml" } } })}\n`;

/** A bare origin (served as GitHub serves: partial fetches allowed) with `main` and a status
 * branch of three commits, each adding 2 MB (by default) of journal; the ids of its journal blobs, of its
 * tip and of the tip's state.json. */
async function statusOrigin(root: string, journalBytes = 2 * 1024 * 1024) {
  const origin = await createBareRepo(root, { name: "origin.git", files: { "README.md": "hi\n" } });
  const seed = await cloneRepo(origin.url, join(root, "status-seed"));
  await git(seed, "checkout", "-q", "--orphan", "gitcron-status");
  for (const month of ["01", "02", "03"]) {
    await commitFiles(
      seed,
      {
        "state.json": state(`hash-${month}`),
        [`journal/2026-${month}.log`]: randomBytes(journalBytes).toString("base64"),
      },
      `status ${month}`,
    );
  }
  await git(seed, "push", "-q", "origin", "gitcron-status");
  const journal = (await git(seed, "ls-tree", "-r", "HEAD", "journal/"))
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(/\s+/)[2] as string);
  const tip = (await git(seed, "rev-parse", "HEAD")).trim();
  const stateBlob = (await git(seed, "rev-parse", "HEAD:state.json")).trim();
  return { origin, journal, tip, stateBlob };
}

/** What of a checkout a read must not change. */
async function snapshot(ws: string) {
  const file = (name: string) => readFile(join(ws, ".git", name), "utf8").catch(() => null);
  return {
    config: await file("config"),
    shallow: await file("shallow"),
    fetchHead: await file("FETCH_HEAD"),
    refs: await git(ws, "for-each-ref"),
  };
}

/** Whether the checkout holds this object. */
const has = (ws: string, oid: string) =>
  git(ws, "cat-file", "-e", oid).then(
    () => true,
    () => false,
  );

describe("the Action reads state.json without fetching into the checkout", () => {
  it.each([
    // Of main alone: a clone of every branch would hold the status branch before any read.
    ["a full clone", ["--no-local", "--single-branch"]],
    ["a shallow clone", ["--depth=1", "--single-branch"]],
  ])(
    "reads the active jobs from %s, leaving it as it was and the journal where it is",
    async (_, how) => {
      const root = await temp.make();
      const { origin, journal, tip, stateBlob } = await statusOrigin(root);
      const ws = join(root, "ws");
      await git(root, "clone", "-q", ...how, "-b", "main", origin.url, ws);
      const before = await snapshot(ws);
      // What git asks the remote for, packet by packet.
      const trace = join(root, "packets.trace");

      const result = await readActiveJobs({
        env: { ...env, GIT_TRACE_PACKET: trace },
        workspace: ws,
        branch: "gitcron-status",
      });

      expect(result).toEqual({
        ok: true,
        revision: "r1",
        active: { report: { specHash: "hash-03", file: "report.yaml" } },
      });
      expect(await snapshot(ws)).toEqual(before);
      expect(existsSync(join(ws, ".git", "shallow"))).toBe(how[0] === "--depth=1");
      expect(journal).toHaveLength(3);
      for (const oid of [...journal, tip]) expect(await has(ws, oid)).toBe(false);
      // Neither asked for by the read: the tip came without blobs, then state.json's alone.
      const packets = await readFile(trace, "utf8");
      expect(packets).toContain("filter blob:none");
      expect(packets).toContain(`want ${stateBlob}`);
      for (const oid of journal) expect(packets).not.toContain(oid);
    },
  );
});

describe("the credentials actions/checkout left in the checkout's config", () => {
  const token = "t0ken-of-the-checkout";
  const header = `AUTHORIZATION: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;

  /** A checkout whose origin is served over HTTP, answering 401 without the header. */
  async function httpCheckout() {
    const root = await temp.make();
    await statusOrigin(root, 1024);
    const server = await startGitHttpServer(root, token);
    servers.push(server);
    const url = server.url("origin.git");
    const ws = join(root, "ws");
    await git(root, "init", "-q", ws);
    await git(ws, "remote", "add", "origin", url);
    return { root, ws, server, key: `http.${new URL(url).origin}/.extraheader` };
  }

  const read = (ws: string) => readActiveJobs({ env, workspace: ws, branch: "gitcron-status" });

  it("sends the checkout's http.<url>.extraheader to the remote", async () => {
    const { ws, server, key } = await httpCheckout();
    await git(ws, "config", key, header);
    const before = await snapshot(ws);
    const result = await read(ws);
    expect(result).toMatchObject({ ok: true, active: { report: { specHash: "hash-03" } } });
    expect(server.authorizations).toContain(header.slice("AUTHORIZATION: ".length));
    expect(await snapshot(ws)).toEqual(before);
  });

  it("sends one the checkout's config includes (includeIf gitdir, as newer actions/checkout writes)", async () => {
    const { root, ws, key } = await httpCheckout();
    const included = join(root, "git-credentials.config");
    await writeFile(included, "");
    await git(root, "config", "--file", included, key, header);
    await git(ws, "config", `includeIf.gitdir:${join(ws, ".git")}.path`, included);
    expect(await read(ws)).toMatchObject({ ok: true, active: { report: { specHash: "hash-03" } } });
  });

  it("fails with git's words, and never the header, when the header is missing or wrong", async () => {
    const { ws, key } = await httpCheckout();
    const missing = await read(ws);
    expect(missing.ok).toBe(false);
    expect(missing.ok ? "" : missing.reason).toMatch(
      /^could not fetch "gitcron-status" from origin: \S/,
    );

    const wrong = `AUTHORIZATION: Basic ${Buffer.from("x-access-token:wr0ng-t0ken").toString("base64")}`;
    await git(ws, "config", key, wrong);
    const refused = await read(ws);
    const reason = refused.ok ? "" : refused.reason;
    expect(reason).toMatch(/^could not fetch "gitcron-status" from origin: \S/);
    expect(reason).not.toContain(wrong.split(" ")[2]);
    expect(reason).not.toContain("wr0ng-t0ken");
  });
});
