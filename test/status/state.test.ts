import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EnvironmentError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import { StatusBranchWriter } from "../../src/status/branch.js";
import { readStatusState } from "../../src/status/state.js";
import { createBareRepo, tempDirs } from "../helpers/git.js";
import { state, summary } from "./fixtures.js";

const BRANCH = "gitcron-status";
const temp = tempDirs("gitcron-state-");
afterEach(() => temp.cleanup());

describe("reading state.json from the status branch (for gitcron plan)", () => {
  it("is null when the branch does not exist yet", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, { files: { "a.yaml": "x: 1\n" } });
    expect(await readStatusState(remote.url, BRANCH, { env: process.env })).toBeNull();
  });

  it("returns the state the agent published", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, { files: { "a.yaml": "x: 1\n" } });
    const published = state(["a", "b"]);
    await new StatusBranchWriter({
      env: process.env,
      dir: join(root, "agent"),
      repoUrl: remote.url,
      branch: BRANCH,
      agent: "0123456789ab",
      history: 10,
      logger: silentLogger(),
    }).publish({ summaries: [summary("a", 0)], state: published });
    const tmpDir = await temp.make("reader-");
    expect(await readStatusState(remote.url, BRANCH, { env: process.env, tmpDir })).toEqual(
      published,
    );
  });

  it("says which branch it could not read when the remote is unreachable, without credentials", async () => {
    const root = await temp.make();
    const url = `file://${join(root, "missing.git")}`;
    const error = await readStatusState(url, BRANCH, { env: process.env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/cannot read the status branch "gitcron-status"/);
    const withCreds = await readStatusState("http://bob:hunter2@127.0.0.1:9/r.git", BRANCH, {
      env: process.env,
      timeoutMs: 5_000,
    }).catch((e: Error) => e);
    expect(String((withCreds as Error).message)).not.toContain("hunter2");
  });

  it("refuses a state.json that is not a gitcron state", async () => {
    const root = await temp.make();
    const remote = await createBareRepo(root, {
      files: { "state.json": '{"hello":1}' },
      branch: BRANCH,
    });
    await expect(readStatusState(remote.url, BRANCH, { env: process.env })).rejects.toThrow(
      /not a gitcron state/,
    );
  });
});
