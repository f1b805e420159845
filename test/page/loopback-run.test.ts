// Acting on an agent without --api-token that listens on loopback, as its own host meets it: the
// built `gitcron trigger` and the page's "Run now" in a real Chromium start a real container;
// a page of another origin open in the same browser posting the same form is refused, and
// nothing runs.

import { createServer } from "node:http";
import type { Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { gitcron } from "../helpers/cli.js";
import { uniqueName } from "../helpers/docker.js";
import { manualJob, servedAgents } from "../helpers/served-agent.js";
import { launchChromium } from "./browser.js";

const agents = servedAgents("gitcron-loopback-");
const { stops } = agents;
let launched: Promise<Browser> | undefined;
afterAll(async () => {
  await (await launched?.catch(() => undefined))?.close();
});

const loopbackAgent = (job: string) => {
  agents.cleanupAfter(job);
  return agents.start({ [`${job}.yaml`]: manualJob("echo ran") });
};

/** A page of another origin (localhost, not 127.0.0.1) with a form posting to `action`. */
async function otherOrigin(action: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<form method="post" action="${action}"><button>Win a prize</button></form>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stops.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return `http://localhost:${port}/`;
}

describe("on a loopback listener without --api-token", () => {
  it("gitcron trigger runs a job without a token, and the run ends on the engine", async () => {
    const job = uniqueName("lbtrig");
    const { agent, url } = await loopbackAgent(job);
    const recorded = agent.scheduler.events.next("run:recorded", (e) => e.summary.job === job);
    const ran = await gitcron(["trigger", job], { env: { GITCRON_URL: url } });
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    const { summary } = await recorded;
    expect(ran.stdout).toBe(`${summary.run}\n`);
    expect(summary).toMatchObject({ trigger: "manual", outcome: "succeeded" });
  });

  it("the page's Run now starts a run; the same form on another origin's page is refused", async () => {
    const job = uniqueName("lbpage");
    const { agent, url } = await loopbackAgent(job);
    launched ??= launchChromium();
    const context = await (await launched).newContext();
    stops.push(() => context.close());
    const page = await context.newPage();

    // The attack: a site the person has open posts to the agent on their machine.
    await page.goto(await otherOrigin(`${url}/jobs/${job}/run`));
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${url}/jobs/${job}/run`),
      page.click("button"),
    ]);
    expect(refused.status()).toBe(403);
    expect(await page.textContent("body")).toContain("this agent's page");
    // The run-now handler answers after the scheduler took or refused the run: none is going.
    expect(agent.scheduler.view().find((v) => v.spec.name === job)?.running).toBeNull();

    // The agent's own page: Run now, a real container, its log tail on the job's page.
    await page.goto(`${url}/jobs/${job}`);
    const recorded = agent.scheduler.events.next("run:recorded", (e) => e.summary.job === job);
    await page.click(".run-now button");
    await page.waitForURL(`${url}/jobs/${job}`);
    expect((await recorded).summary).toMatchObject({ trigger: "manual", outcome: "succeeded" });
    // No session to end: no "Log out" button without a token.
    expect(await page.locator("form.logout").count()).toBe(0);
  });
});
