// The lease refs on a real bare repository: the Git server decides which of two claims wins.

import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { holderFor } from "../../src/lease/elector.js";
import { LeaseRefusedError, LeaseRemote } from "../../src/lease/lease-remote.js";
import { createBareRepo, git, tempDirs } from "../helpers/git.js";

const temp = tempDirs("gitcron-lease-");
afterEach(() => temp.cleanup());

async function setup() {
  const root = await temp.make();
  const remote = await createBareRepo(root);
  const agent = (name: string) =>
    new LeaseRemote({
      dir: join(root, name),
      remote: remote.url,
      agent: "0123456789ab",
      env: process.env,
    });
  return { root, remote, agent };
}

describe("the lease ref", () => {
  it("is claimed once when absent: of two agents claiming at once, exactly one wins", async () => {
    const { remote, agent, root } = await setup();
    const [a, b] = [agent("a"), agent("b")];
    const outcomes = await Promise.allSettled([
      a.claim(holderFor(join(root, "a")), null),
      b.claim(holderFor(join(root, "b")), null),
    ]);
    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(LeaseRefusedError);
    const tip = (await git(remote.dir, "rev-parse", "refs/gitcron/lease/0123456789ab")).trim();
    expect(tip).toBe((won[0] as PromiseFulfilledResult<string>).value);
    // A parentless commit naming its holder, outside refs/heads.
    expect(await git(remote.dir, "rev-list", "--count", tip)).toBe("1\n");
    expect(await git(remote.dir, "branch", "--list")).toBe("");
  });

  it("is renewed only over the commit the renewer expects", async () => {
    const { agent, root } = await setup();
    const a = agent("a");
    const holder = holderFor(join(root, "a"));
    const first = await a.claim(holder, null);
    const second = await a.claim(holder, first);
    expect(second).not.toBe(first);
    await expect(a.claim(holder, first)).rejects.toBeInstanceOf(LeaseRefusedError);
    expect((await a.look()).oid).toBe(second);
    expect(await a.holderOf(second)).toMatchObject({ process: holder.process, home: holder.home });
  });

  it("shows each standby's announcement, changing with each one, and forgets it when withdrawn", async () => {
    const { agent, root } = await setup();
    const [a, b] = [agent("a"), agent("b")];
    const lead = holderFor(join(root, "a"));
    const lease = await a.claim(lead, null);
    const standby = holderFor(join(root, "b"));
    await b.announce(standby);
    const first = (await a.look()).standbys.get(standby.process);
    await b.announce(standby);
    const second = (await a.look()).standbys.get(standby.process);
    expect(first).toBeDefined();
    expect(second).not.toBe(first);
    await b.withdraw(standby, null);
    expect((await a.look()).standbys.size).toBe(0);
    // The leader gives the lease up at stop: a standby then claims it at once.
    await a.withdraw(lead, lease);
    expect((await b.look()).oid).toBeNull();
  });

  it("says the remote cannot be read, rather than that nobody holds the lease", async () => {
    const { root } = await setup();
    const away = new LeaseRemote({
      dir: join(root, "x"),
      remote: `file://${root}/no-such.git`,
      agent: "0123456789ab",
      env: process.env,
    });
    await expect(away.look()).rejects.toThrow();
  });
});
