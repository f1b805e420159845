// Who sees the status page (SPEC §4): the token form and its session cookie, same-origin checks
// on every cookie-authenticated post, bearer tokens as before, loopback without a token (and
// only for loopback host names), nothing beyond loopback without one; a page for browsers and
// JSON for everyone else.

import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createRedactor } from "../../src/secrets/redactor.js";
import { accessFor } from "../../src/server/auth.js";
import { eventRoutes } from "../../src/server/events.js";
import { jobsRoutes } from "../../src/server/jobs.js";
import { LOGIN_LIMIT } from "../../src/server/login-limit.js";
import { pageHandlers, pageRoutes, safeNext } from "../../src/server/page.js";
import { runNowRoutes } from "../../src/server/run-now.js";
import { createSessions, SESSION_TTL_MS } from "../../src/server/sessions.js";
import { jobSpec } from "../helpers/spec-factory.js";
import { fakeSource, row, view } from "../page/fixtures.js";
import { BROWSER_ACCEPT, request } from "../page/http-request.js";
import { httpServers } from "./serve.js";

const TOKEN = "page-token-0123456789abcdef-XYZ";
const { serve } = httpServers();

async function agentLike(options: { token?: string; listenHost?: string; now?: () => number }) {
  const sessions = createSessions(options.now ? { now: options.now } : {});
  const access = accessFor({
    token: options.token,
    listenHost: options.listenHost ?? "127.0.0.1",
    logger: silentLogger(),
    sessions,
  });
  const { source } = fakeSource([row("alpha-job"), row("beta-job")], (name) =>
    name === "alpha-job"
      ? {
          now: new Date(),
          row: row(name),
          spec: jobSpec({ name }),
          revision: "abc",
          history: [],
          canRun: !!options.token,
        }
      : null,
  );
  const triggered: string[] = [];
  const url = await serve([
    ...pageRoutes({
      source,
      access,
      ...(options.now && { now: () => new Date((options.now as () => number)()) }),
    }),
    ...jobsRoutes(() => [view("alpha-job"), view("beta-job")], access, {
      page: pageHandlers({ source, access }),
      runsOf: async () => [],
    }),
    ...runNowRoutes({
      access,
      trigger: (name) => {
        triggered.push(name);
        return { status: "accepted", runId: `${name}-1`, action: "started" };
      },
      logger: silentLogger(),
    }),
    ...eventRoutes({ source, access, logger: silentLogger() }).routes,
  ]);
  const host = new URL(url).host;
  const origin = `http://${host}`;
  const browser = (extra: Record<string, string> = {}) => ({ accept: BROWSER_ACCEPT, ...extra });
  const login = async (
    token: string,
    headers: Record<string, string> = { origin },
    localAddress?: string,
  ) =>
    request(`${url}/login`, {
      method: "POST",
      headers: browser({ "content-type": "application/x-www-form-urlencoded", ...headers }),
      body: new URLSearchParams({ token, next: "/jobs/alpha-job" }).toString(),
      ...(localAddress && { localAddress }),
    });
  const cookieFrom = (answer: { headers: Record<string, unknown> }) =>
    String((answer.headers["set-cookie"] as string[])[0]).split(";")[0] as string;
  return { url, host, origin, browser, login, cookieFrom, triggered, sessions };
}

const showsJobs = (text: string) => text.includes("alpha-job") || text.includes("beta-job");

describe("the status page with --api-token", () => {
  it("shows the token form and no job to a browser without a session", async () => {
    const a = await agentLike({ token: TOKEN });
    const page = await request(`${a.url}/`, { headers: a.browser() });
    expect(page.status).toBe(401);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain('<form method="post" action="/login"');
    expect(showsJobs(page.text)).toBe(false);
    const jobPage = await request(`${a.url}/jobs/alpha-job`, { headers: a.browser() });
    expect(jobPage.status).toBe(401);
    // The form brings the person back to the job's page, and still names no job but in the field.
    expect(jobPage.text).toContain('name="next" value="/jobs/alpha-job"');
    expect(jobPage.text).not.toContain("<h1>alpha-job");
  });

  it("sets a random HttpOnly, SameSite=Strict session cookie for the right token, never the token", async () => {
    const a = await agentLike({ token: TOKEN });
    const answer = await a.login(TOKEN);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe("/jobs/alpha-job");
    const [cookie] = answer.headers["set-cookie"] as string[];
    expect(cookie).toMatch(
      /^gitcron_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/,
    );
    expect(cookie).not.toContain(TOKEN);
    const page = await request(`${a.url}/`, {
      headers: a.browser({ cookie: a.cookieFrom(answer) }),
    });
    expect(page.status).toBe(200);
    expect(showsJobs(page.text)).toBe(true);
    expect(page.headers["content-security-policy"]).toMatch(/^default-src 'self'/);
    expect(page.headers["referrer-policy"]).toBe("same-origin");
  });

  it("marks the cookie Secure behind an HTTPS proxy", async () => {
    const a = await agentLike({ token: TOKEN });
    const answer = await a.login(TOKEN, { origin: a.origin, "x-forwarded-proto": "https" });
    expect((answer.headers["set-cookie"] as string[])[0]).toMatch(/; Secure$/);
  });

  it("refuses a wrong token with the form again and no cookie", async () => {
    const a = await agentLike({ token: TOKEN });
    const answer = await a.login(`${TOKEN}x`);
    expect(answer.status).toBe(401);
    expect(answer.headers["set-cookie"]).toBeUndefined();
    expect(answer.text).toContain("not this agent&#39;s API token");
    expect(showsJobs(answer.text.replace(/value="\/jobs\/alpha-job"/, ""))).toBe(false);
  });

  it("takes no token for the rest of a minute after ten wrong ones, then takes the right one", async () => {
    let clock = Date.parse("2026-12-01T12:00:00Z");
    const a = await agentLike({ token: TOKEN, now: () => clock });
    for (let i = 0; i < LOGIN_LIMIT.failures; i++) {
      expect((await a.login(`guess-${i}`)).status).toBe(401);
      clock += 1_000;
    }
    // Even the right token is not tried now: a guess would be told nothing either way.
    const limited = await a.login(TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("50");
    expect(limited.headers["set-cookie"]).toBeUndefined();
    expect(limited.text).toContain("Too many wrong tokens");
    clock += 50_000;
    const after = await a.login(TOKEN);
    expect(after.status).toBe(303);
    expect(after.headers["set-cookie"]).toBeDefined();
  });

  it("counts wrong tokens per peer: one address guessing does not lock another out", async () => {
    const a = await agentLike({ token: TOKEN });
    // Another peer on loopback (Linux routes all of 127/8 there).
    const attacker = "127.0.0.2";
    for (let i = 0; i <= LOGIN_LIMIT.failures; i++)
      await a.login(`guess-${i}`, undefined, attacker);
    expect((await a.login(TOKEN, undefined, attacker)).status).toBe(429);
    const owner = await a.login(TOKEN);
    expect(owner.status).toBe(303);
    expect(owner.headers["set-cookie"]).toBeDefined();
  });

  it("knows a forged cookie from a session, and ends the session on logout", async () => {
    const a = await agentLike({ token: TOKEN });
    const forged = await request(`${a.url}/`, {
      headers: a.browser({ cookie: `gitcron_session=${"A".repeat(43)}` }),
    });
    expect(forged.status).toBe(401);
    const tokenAsCookie = await request(`${a.url}/`, {
      headers: a.browser({ cookie: `gitcron_session=${TOKEN}` }),
    });
    expect(tokenAsCookie.status).toBe(401);

    const cookie = a.cookieFrom(await a.login(TOKEN));
    // Logging out is a state change: from another origin it is refused, and the session stays.
    const crossSite = await request(`${a.url}/logout`, {
      method: "POST",
      headers: a.browser({ cookie, origin: "http://evil.example" }),
    });
    expect(crossSite.status).toBe(403);
    expect((await request(`${a.url}/`, { headers: a.browser({ cookie }) })).status).toBe(200);
    const out = await request(`${a.url}/logout`, {
      method: "POST",
      headers: a.browser({ cookie, origin: a.origin }),
    });
    expect(out.status).toBe(303);
    expect((out.headers["set-cookie"] as string[])[0]).toMatch(/^gitcron_session=; .*Max-Age=0/);
    expect((await request(`${a.url}/`, { headers: a.browser({ cookie }) })).status).toBe(401);
  });

  it("refuses a login from another origin (a forced login)", async () => {
    const a = await agentLike({ token: TOKEN });
    const refused: Record<string, string>[] = [
      {},
      { origin: "null" },
      { origin: "http://evil.example" },
      { origin: `https://${a.host}.evil.example` },
      { origin: a.origin, "sec-fetch-site": "same-site" },
      { origin: a.origin, "sec-fetch-site": "cross-site" },
    ];
    for (const headers of refused) {
      const answer = await a.login(TOKEN, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.headers["set-cookie"]).toBeUndefined();
    }
    expect(
      (await a.login(TOKEN, { origin: a.origin, "sec-fetch-site": "same-origin" })).status,
    ).toBe(303);
  });

  it("runs a job from the page only with a same-origin Origin; a bearer token needs none", async () => {
    const a = await agentLike({ token: TOKEN });
    const cookie = a.cookieFrom(await a.login(TOKEN));
    const post = (headers: Record<string, string>) =>
      request(`${a.url}/jobs/alpha-job/run`, { method: "POST", headers });
    for (const headers of [
      a.browser({ cookie }),
      a.browser({ cookie, origin: "http://evil.example" }),
      a.browser({ cookie, origin: a.origin, "sec-fetch-site": "cross-site" }),
      // Host is what the browser connected to: a rebound name with the page's own Origin fails.
      a.browser({ cookie, origin: a.origin, host: "evil.example" }),
    ]) {
      expect((await post(headers)).status, JSON.stringify(headers)).toBe(403);
    }
    expect(a.triggered).toEqual([]);
    const fromPage = await post(
      a.browser({ cookie, origin: a.origin, "sec-fetch-site": "same-origin" }),
    );
    expect(fromPage.status).toBe(303);
    expect(fromPage.headers.location).toBe("/jobs/alpha-job");
    const api = await post({ authorization: `Bearer ${TOKEN}` });
    expect(api.status).toBe(202);
    expect(JSON.parse(api.text)).toMatchObject({ job: "alpha-job", run: "alpha-job-1" });
    expect(a.triggered).toEqual(["alpha-job", "alpha-job"]);
  });

  it("keeps bearer tokens working for the page, /jobs and /events", async () => {
    const a = await agentLike({ token: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await request(`${a.url}/`, { headers: a.browser(auth) })).status).toBe(200);
    expect((await request(`${a.url}/jobs`, { headers: auth })).status).toBe(200);
    expect(
      (await request(`${a.url}/jobs`, { headers: { authorization: "Bearer nope" } })).status,
    ).toBe(401);
    const events = await fetch(`${a.url}/events`, { headers: auth });
    expect(events.status).toBe(200);
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await events.body?.cancel();
  });

  it("ends a session after 12 hours", async () => {
    let now = 1_000_000;
    const a = await agentLike({ token: TOKEN, now: () => now });
    const cookie = a.cookieFrom(await a.login(TOKEN));
    now += SESSION_TTL_MS - 1;
    expect((await request(`${a.url}/`, { headers: a.browser({ cookie }) })).status).toBe(200);
    now += 1;
    expect((await request(`${a.url}/`, { headers: a.browser({ cookie }) })).status).toBe(401);
  });

  it("keeps at most the newest sessions when there are too many", () => {
    const sessions = createSessions({ max: 2 });
    const [first, second, third] = [sessions.create(), sessions.create(), sessions.create()];
    expect([sessions.valid(first), sessions.valid(second), sessions.valid(third)]).toEqual([
      false,
      true,
      true,
    ]);
    expect(sessions.size).toBe(2);
  });
});

describe("after login, the browser goes", () => {
  it.each([
    ["/jobs/alpha-job", "/jobs/alpha-job"],
    ["/?q=1", "/?q=1"],
    ["//evil.example/", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["/\tjobs", "/"],
    ["", "/"],
  ])("for next=%j, to %j", (next, to) => {
    expect(safeNext(next)).toBe(to);
  });
});

describe("the status page without --api-token", () => {
  it("is open on a loopback listener to loopback host names only (no DNS rebinding)", async () => {
    const a = await agentLike({});
    const port = new URL(a.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      const page = await request(`${a.url}/`, { headers: a.browser({ host }) });
      expect(page.status, host).toBe(200);
      expect(showsJobs(page.text)).toBe(true);
    }
    for (const host of [
      `evil.example:${port}`,
      "127.0.0.1.evil.example",
      "localhost.evil.example",
    ]) {
      const page = await request(`${a.url}/`, { headers: a.browser({ host }) });
      expect(page.status, `${host}: ${page.text.slice(0, 300)}`).toBe(403);
      expect(showsJobs(page.text)).toBe(false);
      const json = await request(`${a.url}/jobs`, { headers: { host } });
      expect(json.status, host).toBe(403);
    }
    // No token, no form to log in with.
    expect((await a.login("anything")).status).toBe(404);
  });

  it("runs a job for a program or the agent's own page, never for another origin's", async () => {
    const a = await agentLike({});
    const port = new URL(a.url).port;
    const post = (headers: Record<string, string>) =>
      request(`${a.url}/jobs/alpha-job/run`, { method: "POST", headers });
    const attacks: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { origin: "null" },
      { origin: `http://localhost:${port}` },
      { origin: a.origin, "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "cross-site" },
      { referer: "http://evil.example/prize" },
      // DNS rebinding: another site's name resolved to 127.0.0.1, its own page's Origin.
      { host: `evil.example:${port}`, origin: `http://evil.example:${port}` },
      { host: `evil.example:${port}` },
    ];
    for (const headers of attacks) {
      expect((await post(headers)).status, JSON.stringify(headers)).toBe(403);
      expect((await post(a.browser(headers))).status, JSON.stringify(headers)).toBe(403);
    }
    expect(a.triggered).toEqual([]);
    // gitcron trigger and curl send no Origin.
    expect((await post({})).status).toBe(202);
    expect((await post({ host: `localhost:${port}` })).status).toBe(202);
    const fromPage = await post(
      a.browser({ origin: a.origin, "sec-fetch-site": "same-origin", referer: `${a.url}/` }),
    );
    expect(fromPage.status).toBe(303);
    expect(a.triggered).toEqual(["alpha-job", "alpha-job", "alpha-job"]);
  });

  it("beyond loopback shows no job and says to set --api-token", async () => {
    const a = await agentLike({ listenHost: "0.0.0.0" });
    const page = await request(`${a.url}/`, { headers: a.browser() });
    expect(page.status).toBe(403);
    expect(page.text).toContain("--api-token");
    expect(showsJobs(page.text)).toBe(false);
    expect((await request(`${a.url}/jobs/alpha-job`, { headers: a.browser() })).status).toBe(403);
    expect((await fetch(`${a.url}/events`)).status).toBe(403);
    const run = await request(`${a.url}/jobs/alpha-job/run`, { method: "POST" });
    expect(run.status).toBe(403);
    expect(run.text).toContain("--api-token");
    expect(a.triggered).toEqual([]);
  });
});

describe("what the page serves", () => {
  it("masks a secret in any value before it is escaped, and leaves the markup whole", async () => {
    const secret = "s3cr&t<table>";
    const access = accessFor({ token: undefined, listenHost: "127.0.0.1", logger: silentLogger() });
    const { source } = fakeSource([
      row("plain", { file: `leak-${secret}.yaml`, scheduleWords: "table" }),
    ]);
    const url = await serve(pageRoutes({ source, access }), silentLogger(), {
      redactor: createRedactor([secret, "table"]),
    });
    const page = await request(`${url}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.text).toContain('<span class="file">leak-***.yaml</span>');
    expect(page.text).not.toContain("s3cr&amp;t");
    // "table" is a secret here, and the page's own table is still one.
    expect(page.text).toContain('<table id="jobs">');
    expect(page.text).toContain("<td>***<br>");
  });
});

describe("a page for browsers, JSON for everyone else", () => {
  it.each([
    [BROWSER_ACCEPT, "text/html"],
    ["text/html", "text/html"],
    ["*/*", "application/json"],
    ["application/json", "application/json"],
    ["application/json, text/html;q=0.5", "application/json"],
    ["text/html;q=0", "application/json"],
    ["", "application/json"],
  ])("Accept %j on /jobs/<name> and /jobs gets %s", async (accept, type) => {
    const a = await agentLike({});
    const headers: Record<string, string> = accept ? { accept } : {};
    for (const path of ["/jobs/alpha-job", "/jobs"]) {
      const answer = await request(`${a.url}${path}`, { headers });
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toContain(type);
    }
  });

  it("answers JSON for one job with its runs, and 404 for none", async () => {
    const a = await agentLike({});
    const one = JSON.parse((await request(`${a.url}/jobs/alpha-job`)).text);
    expect(one).toMatchObject({ name: "alpha-job", runs: [] });
    expect((await request(`${a.url}/jobs/nope`)).status).toBe(404);
    expect((await request(`${a.url}/jobs/nope`, { headers: a.browser() })).status).toBe(404);
  });
});
