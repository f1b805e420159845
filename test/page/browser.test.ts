// The status page in a real headless Chromium, against a real agent on a real Git repository
// and the real Docker engine (SPEC §8): the token form shows no job; after logging in every job
// and its state appear; a run that ends on the engine updates its row without a reload; "Run
// now" starts a real container and the job's page shows its log tail; markup in a log line, a
// label and a file name stays text; beyond loopback without a token, no job is shown.
// Screenshots go to test-artifacts/page/.

import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupDocker, engine, TEST_IMAGE, uniqueName } from "../helpers/docker.js";
import { servedAgents } from "../helpers/served-agent.js";
import { artifactsDir, launchChromium } from "./browser.js";

const TOKEN = "browser-test-token-0123456789abcdef";
const PWN = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
const docker = engine();
const agents = servedAgents("gitcron-page-");
const { stops } = agents;
// Launched once; a missing Chromium fails each test (not a skip: scripts/test-env.sh installs it).
let launched: Promise<Browser> | undefined;
const chromium = () => {
  launched ??= launchChromium();
  return launched;
};
afterAll(async () => {
  await (await launched?.catch(() => undefined))?.close();
});

const jobFile = (schedule: string, script: string, extra = "") =>
  `schedule: "${schedule}"\nimage: ${TEST_IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n${extra}`;

const startPage = (files: Record<string, string>, flags: Record<string, string>) =>
  agents.start(files, flags);

/** Every CSP violation and every request to another host, as the page reports them. */
function watch(page: Page) {
  const foreign: string[] = [];
  const violations: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("http://127.0.0.1:")) foreign.push(r.url());
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return { foreign, violations };
}

async function expectNoInjection(page: Page) {
  expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(await page.locator("img").count()).toBe(0);
  expect(await page.locator("script:not([src])").count()).toBe(0);
}

/** The index page in a fresh context: its rows' order, and a mark that a reload would erase. */
async function openIndex(url: string) {
  const browser = await chromium();
  const context = await browser.newContext();
  stops.push(() => context.close());
  const page = await context.newPage();
  await page.goto(`${url}/`);
  return {
    page,
    order: () =>
      page
        .locator("#jobs tbody tr")
        .evaluateAll((rows) =>
          rows.map((r) => (r as unknown as { dataset: { job: string } }).dataset.job),
        ),
    markStay: () =>
      page.evaluate(() => {
        (globalThis as { __stayed?: boolean }).__stayed = true;
      }),
    stayed: () => page.evaluate(() => (globalThis as { __stayed?: boolean }).__stayed),
  };
}

describe("the status page in Chromium", () => {
  it("logs in, shows every job live, runs one now and shows its log tail, all text as text", async () => {
    const prefix = uniqueName("page");
    stops.push(() => cleanupDocker(docker, prefix));
    const ticking = `${prefix}-tick`;
    const hostile = `${prefix}-hostile`;
    const { agent, url } = await startPage(
      {
        [`${ticking}.yaml`]: jobFile("*/2 * * * * *", "echo tick"),
        // 1 January only: its runs here are manual ones.
        [`${hostile}.yaml`]: jobFile(
          "0 0 1 1 *",
          `echo 'before'; echo '${PWN}'; echo 'log tail from the engine'`,
          `labels:\n  note: ${JSON.stringify(PWN)}\n`,
        ),
        [`${PWN.replace(/\//g, "_")}.yaml`]: jobFile("0 0 1 1 *", "true"),
      },
      { "api-token": TOKEN },
    );
    const browser = await chromium();
    const dir = await artifactsDir();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    stops.push(() => context.close());
    const page = await context.newPage();
    const seen = watch(page);

    // The token form, and no job on it.
    const first = await page.goto(`${url}/`);
    expect(first?.status()).toBe(401);
    expect(first?.headers()["content-security-policy"]).toMatch(/^default-src 'self'/);
    expect(await page.locator("#token").count()).toBe(1);
    const body = (await page.textContent("body")) ?? "";
    expect(body).not.toContain(prefix);
    await page.screenshot({ path: join(dir, "login.png") });

    await page.fill("#token", TOKEN);
    await page.click("form.login button");
    await page.waitForURL(`${url}/`);
    const rows = page.locator("#jobs tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.textContent(`tr[data-job="${ticking}"] .state`)).toMatch(
      /running|idle|queued/,
    );
    expect(await page.textContent(`tr[data-job="${hostile}"] .state`)).toBe("idle");
    // The rejected file, its name shown as text.
    expect(await page.textContent(".rejected")).toContain("<img src=x onerror=");
    await expectNoInjection(page);

    // A run ending on the engine updates the row, with no reload.
    await page.evaluate(() => {
      (globalThis as { __stayed?: boolean }).__stayed = true;
    });
    const label = () => page.getAttribute(`tr[data-job="${ticking}"] svg`, "aria-label");
    const before = await label();
    const recorded = agent.scheduler.events.next("run:recorded", (e) => e.summary.job === ticking);
    await recorded;
    await expect.poll(label, { timeout: 10_000 }).not.toBe(before);
    expect(await label()).toMatch(/succeeded/);
    expect(await page.evaluate(() => (globalThis as { __stayed?: boolean }).__stayed)).toBe(true);
    await page.fill("#filter", "hostile");
    await expect.poll(() => page.locator("#jobs tbody tr:not([hidden])").count()).toBe(1);
    await page.fill("#filter", "");
    await page.screenshot({ path: join(dir, "index.png"), fullPage: true });
    // A phone's width: the page does not scroll sideways (the table scrolls in its own box).
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
            .document.documentElement.scrollWidth,
      ),
    ).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(dir, "index-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Run now: a real container; the job's page shows its log tail once it ends.
    await page.click(`tr[data-job="${hostile}"] th a`);
    await page.waitForURL(`${url}/jobs/${hostile}`);
    expect(await page.textContent("h1")).toBe(hostile);
    expect(await page.textContent("pre.spec")).toContain("<script>window.__pwned=1</script>");
    await page.click(".run-now button");
    await page.waitForURL(`${url}/jobs/${hostile}`);
    await expect
      .poll(async () => (await page.locator("pre.log").first().textContent()) ?? "", {
        timeout: 15_000,
      })
      .toContain("log tail from the engine");
    const tail = (await page.locator("pre.log").first().textContent()) ?? "";
    expect(tail).toContain(PWN);
    expect(await page.textContent("#runs tbody")).toContain("manual");
    await expectNoInjection(page);
    await page
      .locator("details")
      .first()
      .evaluate((d) => {
        (d as { open: boolean }).open = true;
      });
    await page.screenshot({ path: join(dir, "job.png"), fullPage: true });

    expect(seen.foreign).toEqual([]);
    expect(seen.violations).toEqual([]);
  });

  it("a job that starts failing moves to the top, without a reload", async () => {
    const prefix = uniqueName("pageord");
    stops.push(() => cleanupDocker(docker, prefix));
    const [first, last] = [`${prefix}-a`, `${prefix}-z`];
    // No token and a loopback listener: the page is open to this machine.
    const { agent, url } = await startPage(
      {
        [`${first}.yaml`]: jobFile("0 0 1 1 *", "true"),
        [`${last}.yaml`]: jobFile("0 0 1 1 *", "echo broken; exit 3"),
      },
      {},
    );
    const { page, order, markStay, stayed } = await openIndex(url);
    expect(await order()).toEqual([first, last]);
    await markStay();
    expect(agent.scheduler.trigger(last).status).toBe("accepted");
    await expect.poll(order, { timeout: 15_000 }).toEqual([last, first]);
    expect(await page.getAttribute(`tr[data-job="${last}"]`, "class")).toBe("failing");
    expect(await stayed()).toBe(true);
  });

  it("a job that turns late says so and moves up, without a reload", async () => {
    const prefix = uniqueName("pagelate");
    const [first, last] = [`${prefix}-a`, `${prefix}-z`];
    const { url } = await startPage(
      {
        [`${first}.yaml`]: jobFile("0 0 1 1 *", "true"),
        // No run before 1 January, and a success expected within 3 s: late in 3 s.
        [`${last}.yaml`]: jobFile("0 0 1 1 *", "true", "expectSuccessWithin: 3s\n"),
      },
      {},
    );
    const { page, order, markStay, stayed } = await openIndex(url);
    expect(await order()).toEqual([first, last]);
    expect(await page.textContent(`tr[data-job="${last}"] .state`)).toBe("idle");
    await markStay();
    await expect.poll(order, { timeout: 15_000 }).toEqual([last, first]);
    expect(await page.textContent(`tr[data-job="${last}"] .state`)).toBe("late");
    expect(await stayed()).toBe(true);
  });

  it("beyond loopback without a token shows no job and says to set --api-token", async () => {
    const browser = await chromium();
    const prefix = uniqueName("page-open");
    const { url } = await startPage(
      { [`${prefix}-job.yaml`]: jobFile("0 0 1 1 *", "true") },
      { listen: "0.0.0.0:0" },
    );
    const page = await browser.newPage();
    stops.push(() => page.close());
    const answer = await page.goto(`${url}/`);
    expect(answer?.status()).toBe(403);
    const text = (await page.textContent("body")) ?? "";
    expect(text).toContain("--api-token");
    expect(text).not.toContain(prefix);
    const job = await page.goto(`${url}/jobs/${prefix}-job`);
    expect(job?.status()).toBe(403);
    expect((await page.textContent("body")) ?? "").not.toContain("0 0 1 1");
  });
});
