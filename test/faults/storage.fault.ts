// Storage: half-written files in --data-dir (an outbox entry, applied.json, cursors.json,
// retries.json) are set aside and logged, and the agent starts and works; a status branch
// deleted or rewritten on the remote by someone is rebuilt with the later records.

import { readdir, readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../src/status/summary.js";
import { branchTip, deleteBranch, git, readFileAt } from "../helpers/git.js";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const halfOf = (text: string) => text.slice(0, Math.floor(text.length / 2));

describe("storage faults", () => {
  it("corrupt outbox entry, applied.json, cursors.json and retries.json are quarantined; the agent starts and works", async () => {
    const w = await hooks.world("storage-files", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    const data = w.dir("data");
    const first = await hooks.agent(w);
    await until("a first record", async () =>
      (await w.runsOf(job)).length > 0 ? true : undefined,
    );
    first.signal("SIGTERM");
    expect((await first.exited).code).toBe(0);

    // What a crash in the middle of writes (or a full disk) could leave behind.
    for (const name of ["applied.json", "cursors.json", "retries.json"]) {
      await writeFile(`${data}/${name}`, halfOf(await readFile(`${data}/${name}`, "utf8")));
    }
    const summary = (await w.runsOf(job))[0];
    await writeFile(
      `${data}/outbox/20991231T000000Z_half_1_succeeded.json`,
      halfOf(JSON.stringify(summary)),
    );
    await writeFile(`${data}/outbox/.20991231T000001Z_x.json.abcd1234.tmp`, '{"job":');
    const recordsBefore = (await w.runsOf(job)).length;

    const second = await hooks.agent(w);
    const setAside = await second.waitForLog(
      (l) => l.msg === "corrupt file set aside" && String(l.file).endsWith("applied.json"),
    );
    for (const name of ["cursors.json", "retries.json"]) {
      await second.waitForLog(
        (l) => l.msg === "corrupt file set aside" && String(l.file).endsWith(name),
      );
    }
    await second.waitForLog(
      (l) => l.msg === "corrupt file set aside" && String(l.file).includes("_half_"),
    );
    await second.waitForLog((l) => l.msg === "half-written outbox file set aside");
    expect(String(setAside.movedTo)).toMatch(/applied\.json\.corrupt-/);
    expect((await readdir(`${data}/outbox/corrupt`)).length).toBe(2);
    expect((await readdir(data)).filter((f) => f.includes(".corrupt-")).length).toBe(3);

    await until("runs recorded again", async () =>
      (await w.runsOf(job)).length >= recordsBefore + 2 ? true : undefined,
    );
    expect(await second.get("/healthz")).toBe(200);
    second.signal("SIGTERM");
    expect((await second.exited).code).toBe(0);
    // The quarantined half entry was never published.
    expect((await w.records()).some((r) => r.run.includes("half"))).toBe(false);
    await w.finish({ "half-written data files": 5 });
  });

  it("a status branch deleted, then rewritten, on the remote is rebuilt with every record", async () => {
    const w = await hooks.world("storage-branch", (p) => ({
      [`${p}-tick.yaml`]: jobYaml("* * * * * *", "echo tick"),
    }));
    const job = `${w.prefix}-tick`;
    const agent = await hooks.agent(w);
    await until("records", async () => ((await w.runsOf(job)).length >= 2 ? true : undefined));
    const keptRuns = (await w.runsOf(job)).map((r) => r.run);

    await deleteBranch(w.remote.dir, "gitcron-status");
    const deletedAt = Date.now();
    await agent.waitForLog((l) => l.msg === "status branch deleted on the remote; rebuilding it");
    const rebuilt = await until("the branch rebuilt with later records", async () => {
      const runs = await w.runsOf(job);
      return runs.some((r) => Date.parse(r.finishedAt ?? "") > deletedAt) ? runs : undefined;
    });
    // Rebuilt from the last content the agent knew: the earlier records are still there.
    expect(rebuilt.map((r) => r.run)).toEqual(expect.arrayContaining(keptRuns));

    // Someone force-pushes an unrelated history onto the branch.
    await git(w.work, "checkout", "-q", "--orphan", "vandal");
    await git(w.work, "rm", "-r", "-q", "--cached", ".");
    await writeFile(`${w.work}/NOTE.md`, "rewritten by hand\n");
    await git(w.work, "add", "NOTE.md");
    await git(w.work, "commit", "-q", "-m", "rewrite");
    // With a lease on the tip read just before, so exactly what that tip held is erased.
    let erased: RunSummary[] = [];
    await until("the rewrite pushed", async () => {
      const tip = await branchTip(w.remote.dir, "gitcron-status");
      erased = await w.runsOf(job);
      const lease = `--force-with-lease=refs/heads/gitcron-status:${tip}`;
      return git(w.work, "push", "-q", lease, "origin", "HEAD:refs/heads/gitcron-status").then(
        () => true,
        () => undefined,
      );
    });
    const rewrittenAt = Date.now();
    await until("later records on the rewritten branch", async () => {
      const runs = await w.runsOf(job);
      return runs.some((r) => Date.parse(r.finishedAt ?? "") > rewrittenAt) ? runs : undefined;
    });
    await agent.waitForLog((l) =>
      String(l.msg).startsWith("status branch lost journal files we had pushed"),
    );
    // What the rewrite erased comes back from the agent's own last copy of the branch.
    const restored = await until("the erased records restored", async () => {
      const runs = (await w.runsOf(job)).map((r) => r.run);
      return erased.every((r) => runs.includes(r.run)) ? runs : undefined;
    });
    expect(restored.length).toBeGreaterThan(erased.length);
    expect(await readFileAt(w.remote.dir, "gitcron-status", "state.json")).not.toBeNull();
    expect(await agent.get("/healthz")).toBe(200);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish(
      { "status branch deleted": 1, "status branch rewritten": 1 },
      { restoredAfterRewrite: erased.length },
    );
  });
});
