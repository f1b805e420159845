// The status page at 5,000 jobs × 20 runs (SPEC §8: first contentful paint under a second on
// this machine, in Chromium). The agent's own routes render the page for each load, from a page
// source of generated jobs; Debian's Chromium (playwright-core, no download) loads it several
// times and reads `first-contentful-paint`. Rows are built from each job's view and runs at
// each load, as the agent's page source builds them. Baseline: the same HTML, rendered once, served as a
// static file by a bare node:http server, loaded the same number of times, alternating.

import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dist = (p) => import(pathToFileURL(path.join(ROOT, "dist", p)).href);
const { startHttpServer } = await dist("server/http.js");
const { pageRoutes } = await dist("server/page.js");
const { eventRoutes } = await dist("server/events.js");
const { accessFor } = await dist("server/auth.js");
const { byAttention, jobRow, scheduleWordsCache } = await dist("page/model.js");
const { readAsset } = await dist("page/assets.js");
const { createRedactor } = await dist("secrets/redactor.js");
const { silentLogger } = await dist("log.js");

const CHROMIUM = process.env.GITCRON_CHROMIUM ?? "/usr/bin/chromium";
const SCHEDULES = ["*/5 * * * *", "0 * * * *", "15 3 * * *", "0 7 * * MON-FRI", "*/2 * * * * *"];

/** Each job's view and recent runs, as the agent's page source holds them. */
function generatedJobs(jobs, runsPerJob) {
  const now = Date.now();
  const out = [];
  for (let j = 0; j < jobs; j++) {
    const name = `job-${String(j).padStart(5, "0")}`;
    const runs = [];
    for (let r = 0; r < runsPerJob; r++) {
      const at = new Date(now - (runsPerJob - r) * 300_000).toISOString();
      const outcome = (j * 31 + r * 7) % 17 === 0 ? "failed" : "succeeded";
      runs.push({
        job: name,
        run: `${name}-${r}`,
        attempt: 1,
        outcome,
        exitCode: outcome === "failed" ? 1 : 0,
        reason: null,
        scheduledAt: at,
        startedAt: at,
        finishedAt: at,
        durationMs: 500 + ((j * 13 + r * 101) % 9000),
        image: "busybox",
        imageDigest: null,
        revision: "0123456789abcdef0123456789abcdef01234567",
        trigger: "schedule",
        logTail: "",
      });
    }
    const spec = {
      name,
      file: `team-${j % 40}/${name}.yaml`,
      schedule: SCHEDULES[j % SCHEDULES.length],
      timezone: j % 3 ? "UTC" : "Europe/Amsterdam",
      suspended: j % 97 === 0,
    };
    const view = {
      spec,
      revision: "0123456789abcdef0123456789abcdef01234567",
      nextRunAt: new Date(now + ((j * 7919) % 3_600_000)),
      running: j % 53 === 0 ? { runId: "r", phase: "running", scheduledAt: new Date(now) } : null,
      queued: null,
      last: null,
    };
    out.push({ view, runs, late: j % 211 === 0 });
  }
  return out;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function firstContentfulPaint(browser, url) {
  const page = await browser.newPage();
  try {
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    const fcp = await page.waitForFunction(
      () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
      undefined,
      { timeout: 30_000 },
    );
    return Number(await fcp.jsonValue());
  } finally {
    await page.close();
  }
}

export default async function pageBench(ctx) {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/test-env.sh or set GITCRON_CHROMIUM`);
  const { chromium } = await import("playwright-core");
  const jobs = ctx.quick ? 500 : Number(process.env.BENCH_PAGE_JOBS ?? 5000);
  const runsPerJob = 20;
  const loads = ctx.quick ? 3 : Number(process.env.BENCH_PAGE_LOADS ?? 7);
  const generated = generatedJobs(jobs, runsPerJob);
  const words = scheduleWordsCache();
  // Rows are built for each load, as the agent builds them from the scheduler's view.
  const source = {
    page: async (now) => ({
      now,
      jobs: generated
        .map(({ view, runs, late }) => jobRow({ view, runs, late, rejected: false, words }))
        .sort(byAttention),
      rejected: [],
      revision: "0123456789abcdef0123456789abcdef01234567",
      lastSyncAt: new Date().toISOString(),
      syncErrors: { count: 0 },
      canRun: false,
    }),
    job: async () => null,
    rows: async () => [],
    onChange: () => () => {},
  };
  const logger = silentLogger();
  const access = accessFor({ token: undefined, listenHost: "127.0.0.1", logger });
  const agentServer = await startHttpServer({
    host: "127.0.0.1",
    port: 0,
    logger,
    // As on an agent: a redactor that knows a few secrets.
    redactor: createRedactor(["a-git-token-value-0123456789", "webhook-secret-abcdef"]),
    routes: [...pageRoutes({ source, access }), ...eventRoutes({ source, access, logger }).routes],
  });
  const agentUrl = `http://127.0.0.1:${agentServer.address.port}/`;

  // The baseline: the same bytes from a file, with the same stylesheet and script.
  const html = await (await fetch(agentUrl)).text();
  const file = path.join(ctx.tmp, "page.html");
  await writeFile(file, html);
  const assets = {
    "/assets/page.css": readAsset("page.css"),
    "/assets/page.js": readAsset("page.js"),
  };
  const staticServer = createServer(async (req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(await readFile(file));
    } else if (assets[req.url]) {
      const type = req.url.endsWith(".css") ? "text/css" : "text/javascript";
      res.writeHead(200, { "content-type": type });
      res.end(assets[req.url]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => staticServer.listen(0, "127.0.0.1", resolve));
  const staticUrl = `http://127.0.0.1:${staticServer.address().port}/`;

  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    // One load of each first, not counted: Chromium's own start-up is not the page's.
    await firstContentfulPaint(browser, agentUrl);
    await firstContentfulPaint(browser, staticUrl);
    const agent = [];
    const baseline = [];
    const renderMs = [];
    for (let i = 0; i < loads; i++) {
      agent.push(await firstContentfulPaint(browser, agentUrl));
      baseline.push(await firstContentfulPaint(browser, staticUrl));
      const t0 = performance.now();
      await (await fetch(agentUrl)).arrayBuffer();
      renderMs.push(performance.now() - t0);
    }
    const fcp = median(agent);
    const base = median(baseline);
    const group = `page ${jobs} jobs`;
    return [
      {
        group,
        metric: `first contentful paint, median of ${loads} loads (${runsPerJob} runs a job)`,
        value: Number(fcp.toFixed(0)),
        unit: "ms",
        baseline: Number(base.toFixed(0)),
        baselineLabel: "the same HTML as a static file",
        ratio: Number((fcp / base).toFixed(2)),
        goal: jobs >= 5000 ? "< 1000 ms" : undefined,
        pass: jobs >= 5000 ? fcp < 1000 : undefined,
      },
      {
        group,
        metric: "GET / rendered and received, median",
        value: Number(median(renderMs).toFixed(0)),
        unit: "ms",
      },
      {
        group,
        metric: "page size",
        value: Number((Buffer.byteLength(html) / 2 ** 20).toFixed(2)),
        unit: "MiB",
      },
    ];
  } finally {
    await browser.close();
    await agentServer.close();
    await new Promise((resolve) => staticServer.close(resolve));
  }
}
