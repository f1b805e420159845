// Trust: with --verify-signatures (an SSH allowed-signers file), a head commit signed by an
// allowed key is applied; an unsigned head, or one signed by another key, is not: the agent
// keeps the last good revision and says why in state.json and in its log.

import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { git } from "../helpers/git.js";
import { faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const run = promisify(execFile);

async function sshKey(path: string): Promise<string> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", path]);
  return (await readFile(`${path}.pub`, "utf8")).trim();
}

describe("--verify-signatures", () => {
  it("applies signed heads only; an unsigned or wrongly signed head keeps the last good revision and says why", async () => {
    const w = await hooks.world("trust", () => ({ "README.md": "jobs\n" }));
    const job = `${w.prefix}-signed`;
    const file = `${job}.yaml`;
    const allowedKey = w.dir("allowed");
    const otherKey = w.dir("other");
    const allowedPub = await sshKey(allowedKey);
    await sshKey(otherKey);
    const signers = w.dir("allowed_signers");
    await writeFile(signers, `test@localhost ${allowedPub}\n`);

    /** Commits `script` as the job and pushes; signed with `key` when given. */
    const push = async (script: string, key?: string) => {
      await writeFile(`${w.work}/${file}`, jobYaml("* * * * * *", `echo ${script}`));
      await git(w.work, "add", file);
      const sign = key ? ["-c", "gpg.format=ssh", "-c", `user.signingkey=${key}`] : [];
      await git(w.work, ...sign, "commit", "-q", ...(key ? ["-S"] : []), "-m", script);
      await git(w.work, "push", "-q", "origin", "HEAD:main");
      return (await git(w.work, "rev-parse", "HEAD")).trim();
    };
    const good = await push("one", allowedKey);
    const agent = await hooks.agent(w, { flags: { "verify-signatures": signers } });
    await until("the signed revision running", async () =>
      (await w.runsOf(job)).some((r) => r.logTail === "one") ? true : undefined,
    );
    expect((await w.state())?.revision).toBe(good);

    const refusals: string[] = [];
    for (const [script, key, why] of [
      [
        "two",
        undefined,
        /^head commit [0-9a-f]{12} is not signed; --verify-signatures accepts only/,
      ],
      ["three", otherKey, /^head commit [0-9a-f]{12} is signed by key SHA256:\S+ that is not in /],
    ] as const) {
      const bad = await push(script, key);
      const state = await until("state.json naming the refusal", async () => {
        const s = await w.state();
        const message = s?.syncErrors.last?.message ?? "";
        return message.includes(bad.slice(0, 12)) ? s : undefined;
      });
      const message = state?.syncErrors.last?.message ?? "";
      expect(message.replace(/^.*?: (?=head commit)/, "")).toMatch(why);
      expect(state?.revision).toBe(good);
      expect(
        agent.logs.some((l) => /^sync failed: /.test(l.msg) && l.msg.includes(bad.slice(0, 12))),
      ).toBe(true);
      refusals.push(message);
    }
    // Runs went on with the last good spec throughout.
    const tails = new Set((await w.runsOf(job)).map((r) => r.logTail));
    expect([...tails]).toEqual(["one"]);

    const signedAgain = await push("four", allowedKey);
    await until("the next signed revision applied", async () =>
      (await w.runsOf(job)).some((r) => r.logTail === "four") ? true : undefined,
    );
    expect((await w.state())?.revision).toBe(signedAgain);
    agent.signal("SIGTERM");
    expect((await agent.exited).code).toBe(0);
    await w.finish({ "unsigned head": 1, "head signed by an unknown key": 1 }, { refusals });
  });
});
