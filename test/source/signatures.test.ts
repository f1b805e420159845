// --verify-signatures with real SSH keys (ssh-keygen) and commits signed by git itself.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createSource, type Source } from "../../src/source/source.js";
import { createRemote, syncRejection, tempDirs } from "./helpers.js";

const dirs = tempDirs();
const sources: Source[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  dirs.cleanup();
});

const keys = { allowed: "", other: "", allowedSigners: "" };
const keyDirs = tempDirs();
beforeAll(() => {
  const dir = keyDirs.make("keys");
  for (const name of ["allowed", "other"] as const) {
    keys[name] = join(dir, name);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", keys[name]]);
  }
  keys.allowedSigners = join(dir, "allowed_signers");
  const publicKey = readFileSync(`${keys.allowed}.pub`, "utf8").trim();
  writeFileSync(keys.allowedSigners, `ci@example.com namespaces="git" ${publicKey}\n`);
  return () => keyDirs.cleanup();
});

function verifyingSource(repo: string, allowedSigners = keys.allowedSigners) {
  const dataDir = dirs.make("data");
  const source = createSource({
    env: process.env,
    repo,
    path: ".",
    dataDir,
    verifySignatures: allowedSigners,
    logger: silentLogger(),
  });
  sources.push(source);
  return { source, dataDir };
}

describe("--verify-signatures", () => {
  it("applies a head commit signed by an allowed key", async () => {
    const remote = createRemote(dirs.make("remote"));
    const sha = remote.commit({ "a.yaml": "a: 1\n" }, { signWith: keys.allowed });
    const { source } = verifyingSource(remote.url);
    expect(await source.sync(null)).toMatchObject({ revision: sha, files: ["a.yaml"] });
  });

  it("rejects an unsigned head commit and one signed by another key, keeping the last good revision checked out", async () => {
    const remote = createRemote(dirs.make("remote"));
    const good = remote.commit({ "a.yaml": "a: 1\n" }, { signWith: keys.allowed });
    const { source } = verifyingSource(remote.url);
    const first = await source.sync(null);

    const unsigned = remote.commit({ "a.yaml": "a: 2\n" });
    const notSigned = await syncRejection(source.sync(first.revision));
    expect(notSigned.retryable).toBe(false);
    expect(notSigned.message).toBe(
      `head commit ${unsigned.slice(0, 12)} is not signed; --verify-signatures accepts only commits signed by a key in ${keys.allowedSigners}`,
    );
    expect(first.revision).toBe(good);
    expect(await first.read("a.yaml")).toEqual({ text: "a: 1\n" });

    const foreign = remote.commit({ "b.yaml": "b: 1\n" }, { signWith: keys.other });
    const otherKey = await syncRejection(source.sync(first.revision));
    expect(otherKey.retryable).toBe(false);
    expect(otherKey.message).toMatch(
      new RegExp(
        `^head commit ${foreign.slice(0, 12)} is signed by key SHA256:\\S+ that is not in `,
      ),
    );
    expect(await first.read("a.yaml")).toEqual({ text: "a: 1\n" });

    // A signed commit on top is applied, with every change since the last good revision.
    const fixed = remote.commit({ "c.yaml": "c: 1\n" }, { signWith: keys.allowed });
    const next = await source.sync(first.revision);
    expect(next.revision).toBe(fixed);
    expect(next.changes).toEqual([
      { path: "a.yaml", kind: "modified" },
      { path: "b.yaml", kind: "added" },
      { path: "c.yaml", kind: "added" },
    ]);
  });

  it("applies nothing while the allowed-signers file is missing", async () => {
    const remote = createRemote(dirs.make("remote"));
    remote.commit({ "a.yaml": "a: 1\n" }, { signWith: keys.allowed });
    const missing = join(dirs.make("keys"), "absent");
    const err = await syncRejection(verifyingSource(remote.url, missing).source.sync(null));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`cannot read the allowed-signers file ${missing}`);
  });
});
