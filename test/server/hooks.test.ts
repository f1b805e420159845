// POST /hooks/git over real HTTP: GitHub and GitLab signatures, the body cap, a burst.

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startSyncLoop } from "../../src/agent/sync-loop.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/log.js";
import { HOOK_MAX_BODY, hookRoutes } from "../../src/server/hooks.js";
import { captureLogger } from "../runtime/capture-log.js";
import { httpServers } from "./serve.js";

const SECRET = "s3cret-webhook-value-0123456789";
const { serve } = httpServers();

const pushBody = JSON.stringify({ ref: "refs/heads/main", after: "a".repeat(40) });
const sign = (body: string | Buffer, secret = SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

async function hookServer() {
  const log = captureLogger();
  let pushes = 0;
  const url = await serve(
    hookRoutes({ secret: SECRET, onPush: () => pushes++, logger: log.logger }),
  );
  const post = (headers: Record<string, string>, body: string | Buffer = pushBody) =>
    fetch(`${url}/hooks/git`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : new Blob([new Uint8Array(body)]),
    });
  return { post, pushes: () => pushes, log };
}

const github = (body: string, event = "push", signature = sign(body)) => ({
  "x-github-event": event,
  "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
  "x-hub-signature-256": signature,
});

describe("GitHub", () => {
  it("a push signed with the secret is accepted (202) and asks for a sync", async () => {
    const { post, pushes } = await hookServer();
    const res = await post(github(pushBody));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ ok: true, sync: true });
    expect(pushes()).toBe(1);
  });

  it("the ping sent when the hook is created answers 200 without a sync", async () => {
    const { post, pushes } = await hookServer();
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const res = await post(github(body, "ping"), body);
    expect(res.status).toBe(200);
    expect(pushes()).toBe(0);
  });

  it.each([
    ["signed with another secret", sign(pushBody, "not-the-secret")],
    ["signed over another body", sign(`${pushBody} `)],
    ["an empty signature", ""],
    ["the old SHA-1 form", `sha1=${createHmac("sha1", SECRET).update(pushBody).digest("hex")}`],
    ["a truncated digest", sign(pushBody).slice(0, 40)],
  ])("%s is refused with 401 and no sync", async (_case, signature) => {
    const { post, pushes } = await hookServer();
    const res = await post(github(pushBody, "push", signature));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/X-Hub-Signature-256/);
    expect(pushes()).toBe(0);
  });

  it("the signature is checked over the raw bytes, not re-serialised JSON", async () => {
    const { post, pushes } = await hookServer();
    // Spacing and key order that JSON.stringify(JSON.parse(body)) would change.
    const raw = '{ "ref" : "refs/heads/main",\n  "after":"b" }';
    expect((await post(github(raw), raw)).status).toBe(202);
    expect(pushes()).toBe(1);
  });
});

describe("GitLab", () => {
  const gitlab = (token: string) => ({ "x-gitlab-event": "Push Hook", "x-gitlab-token": token });

  it("a push with the secret as X-Gitlab-Token is accepted (202) and asks for a sync", async () => {
    const { post, pushes } = await hookServer();
    expect((await post(gitlab(SECRET))).status).toBe(202);
    expect(pushes()).toBe(1);
  });

  it.each([
    ["a wrong token of the same length", SECRET.replace(/.$/, "X")],
    ["a prefix of the secret", SECRET.slice(0, 8)],
    ["the secret with more after it", `${SECRET}x`],
    ["an empty token", ""],
  ])("%s is refused with 401 and no sync", async (_case, token) => {
    const { post, pushes } = await hookServer();
    expect((await post(gitlab(token))).status).toBe(401);
    expect(pushes()).toBe(0);
  });
});

describe("which pushes need a sync", () => {
  async function branchServer(branch?: string) {
    let pushes = 0;
    const url = await serve(
      hookRoutes({ secret: SECRET, branch, onPush: () => pushes++, logger: silentLogger() }),
    );
    const send = async (payload: object, contentType = "application/json") => {
      const json = JSON.stringify(payload);
      const body =
        contentType === "application/json"
          ? json
          : new URLSearchParams({ payload: json }).toString();
      const res = await fetch(`${url}/hooks/git`, {
        method: "POST",
        headers: { ...github(body), "content-type": contentType },
        body,
      });
      return { status: res.status, body: (await res.json()) as { sync: boolean; reason?: string } };
    };
    return { send, pushes: () => pushes };
  }
  const onGitHub = (ref: string, defaultBranch = "main") => ({
    ref,
    repository: { default_branch: defaultBranch },
  });

  it("without --branch, a push to the repository's default branch syncs; the status branch does not", async () => {
    const { send, pushes } = await branchServer();
    expect((await send(onGitHub("refs/heads/main"))).status).toBe(202);
    const own = await send(onGitHub("refs/heads/gitcron-status"));
    expect(own).toEqual({
      status: 200,
      body: {
        ok: true,
        sync: false,
        reason: "refs/heads/gitcron-status is not the watched branch",
      },
    });
    expect(pushes()).toBe(1);
  });

  it("with --branch, only pushes to that branch sync", async () => {
    const { send, pushes } = await branchServer("release");
    expect((await send(onGitHub("refs/heads/main"))).status).toBe(200);
    expect((await send(onGitHub("refs/heads/release"))).status).toBe(202);
    expect(pushes()).toBe(1);
  });

  it("a tag push needs no sync", async () => {
    const { send, pushes } = await branchServer();
    expect((await send(onGitHub("refs/tags/v1.2.0"))).body.reason).toBe(
      "refs/tags/v1.2.0 is not a branch",
    );
    expect(pushes()).toBe(0);
  });

  it("GitLab's project.default_branch is read the same way", async () => {
    const { send, pushes } = await branchServer();
    const gitlab = (ref: string) => ({ ref, project: { default_branch: "trunk" } });
    expect((await send(gitlab("refs/heads/feature"))).status).toBe(200);
    expect((await send(gitlab("refs/heads/trunk"))).status).toBe(202);
    expect(pushes()).toBe(1);
  });

  it("GitHub's form-encoded payload is read too", async () => {
    const { send, pushes } = await branchServer();
    const form = "application/x-www-form-urlencoded";
    expect((await send(onGitHub("refs/heads/other"), form)).status).toBe(200);
    expect((await send(onGitHub("refs/heads/main"), form)).status).toBe(202);
    expect(pushes()).toBe(1);
  });

  it("a payload that cannot be read still syncs: a needless fetch is cheap, a missed push is not", async () => {
    const { post, pushes } = await hookServer();
    const junk = "not json at all";
    expect((await post(github(junk), junk)).status).toBe(202);
    expect((await post(github("{}"), "{}")).status).toBe(202);
    expect(pushes()).toBe(2);
  });
});

describe("refusals", () => {
  it("a request with no signature header at all is refused with 401, naming both headers", async () => {
    const { post, pushes } = await hookServer();
    const res = await post({ "x-github-event": "push" });
    expect(res.status).toBe(401);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain("X-Hub-Signature-256");
    expect(error).toContain("X-Gitlab-Token");
    expect(pushes()).toBe(0);
  });

  it("a body over 1 MiB is refused with 413 and no sync, even when signed", async () => {
    const { post, pushes } = await hookServer();
    const big = Buffer.alloc(HOOK_MAX_BODY + 1, "a");
    const res = await post(github("", "push", sign(big)), big);
    expect(res.status).toBe(413);
    expect(pushes()).toBe(0);
    // Exactly at the cap is still a hook.
    const atCap = Buffer.alloc(HOOK_MAX_BODY, "a");
    expect((await post(github("", "push", sign(atCap)), atCap)).status).toBe(202);
  });

  it("GET is not a hook (405)", async () => {
    let pushes = 0;
    const url = await serve(
      hookRoutes({ secret: SECRET, onPush: () => pushes++, logger: silentLogger() }),
    );
    expect((await fetch(`${url}/hooks/git`)).status).toBe(405);
    expect(pushes).toBe(0);
  });

  it("neither the secret nor a signature reaches the log", async () => {
    const { post, log } = await hookServer();
    const good = github(pushBody);
    const bad = github(pushBody, "push", sign(pushBody, "wrong"));
    await post(good);
    await post(bad);
    await post({ "x-gitlab-token": SECRET });
    await post({ "x-gitlab-token": "wrong-token-value" });
    const text = log.text();
    expect(log.records().map((r) => r.msg)).toEqual([
      "webhook: sync requested",
      "webhook refused",
      "webhook: sync requested",
      "webhook refused",
    ]);
    for (const secretish of [
      SECRET,
      good["x-hub-signature-256"],
      bad["x-hub-signature-256"],
      "wrong-token-value",
    ]) {
      expect(text).not.toContain(secretish.replace(/^sha256=/, ""));
    }
  });

  it("an empty secret is a programming error, not an open hook", () => {
    expect(() => hookRoutes({ secret: "", onPush: () => {}, logger: silentLogger() })).toThrow(
      /non-empty secret/,
    );
  });
});

describe("a burst of hooks", () => {
  it("each hook asks for a sync, and the agent's sync loop merges them into one more sync", async () => {
    let steps = 0;
    let release: () => void = () => {};
    let secondStepStarted: () => void = () => {};
    const secondStep = new Promise<void>((r) => {
      secondStepStarted = r;
    });
    let thirdStepDone: () => void = () => {};
    const thirdStep = new Promise<void>((r) => {
      thirdStepDone = r;
    });
    let finished = 0;
    const sync = startSyncLoop({
      clock: systemClock,
      intervalMs: 3_600_000,
      logger: silentLogger(),
      after: () => {
        if (++finished === 3) thirdStepDone();
      },
      step: async () => {
        steps++;
        if (steps === 2) {
          secondStepStarted();
          await new Promise<void>((r) => {
            release = r;
          });
        }
        return { changed: false };
      },
    });
    await sync.firstSuccess;
    let requests = 0;
    const url = await serve(
      hookRoutes({
        secret: SECRET,
        onPush: () => {
          requests++;
          sync.request();
        },
        logger: silentLogger(),
      }),
    );
    const post = () =>
      fetch(`${url}/hooks/git`, { method: "POST", headers: github(pushBody), body: pushBody });

    expect((await post()).status).toBe(202);
    await secondStep; // the first hook's sync is under way
    const started = performance.now();
    const burst = await Promise.all(Array.from({ length: 50 }, post));
    const burstMs = performance.now() - started;
    expect(burst.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(requests).toBe(51);
    release();
    await thirdStep;
    await sync.stop();
    // The first sync, the first hook's, and ONE for the 50 hooks that came during it.
    expect(steps).toBe(3);
    // Answering a hook does no Git work: 50 take well under a second even on a loaded CI box.
    expect(burstMs).toBeLessThan(2_000);
  });
});
