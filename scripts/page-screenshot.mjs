// Screenshots of the status page for the docs, from a real agent (the built CLI) running a few
// real jobs on the local Docker engine: docs/status-page.png, docs/status-page-dark.png and
// docs/status-page-job.png. Needs `npm run build`, Docker, the test image and Debian's Chromium
// (scripts/test-env.sh installs them).
//
//   node scripts/page-screenshot.mjs [--seconds 60]

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.GITCRON_CHROMIUM ?? "/usr/bin/chromium";
const IMAGE = process.env.GITCRON_TEST_IMAGE ?? "gitcron-test/busybox:1";
const TOKEN = "screenshot-token-0123456789abcdef";
const { values } = parseArgs({ options: { seconds: { type: "string", default: "60" } } });

const job = (schedule, script, extra = "") =>
  `schedule: "${schedule}"\nimage: ${IMAGE}\ncommand: ["sh", "-c", ${JSON.stringify(script)}]\n${extra}`;

const JOBS = {
  "heartbeat.yaml": job("*/5 * * * * *", "echo alive"),
  "flaky-sync.yaml": job(
    "*/6 * * * * *",
    'echo "syncing 120 records"; if [ $(( $(date +%s) / 6 % 3 )) = 0 ]; then echo "upstream answered 503" >&2; exit 1; fi; echo done',
  ),
  "db-backup.yaml": job(
    "*/10 * * * * *",
    'echo "dumping"; sleep $(( $(date +%s) % 3 )); echo "backup written: 42 MB"',
  ),
  "weekly-cleanup.yaml": job("0 4 * * SUN", "echo cleaning", "timezone: Europe/Amsterdam\n"),
  "month-end-close.yaml": job("0 6 1 * *", "echo closing", "suspended: true\n"),
  "broken.yaml": `schedule: "0 25 * * *"\nimage: ${IMAGE}\n`,
};

const dir = await mkdtemp(path.join(tmpdir(), "gitcron-screenshot-"));
const jobs = path.join(dir, "jobs");
await import("node:fs/promises").then((fs) => fs.mkdir(jobs));
for (const [name, text] of Object.entries(JOBS)) await writeFile(path.join(jobs, name), text);

const port = 18000 + Math.floor(Math.random() * 1000);
const agent = spawn(
  process.execPath,
  [
    path.join(ROOT, "dist/bin/gitcron.mjs"),
    "agent",
    "--repo",
    jobs,
    "--data-dir",
    path.join(dir, "data"),
    "--listen",
    `127.0.0.1:${port}`,
    "--api-token",
    TOKEN,
    "--status-flush",
    "1s",
  ],
  { stdio: "ignore" },
);
const url = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/readyz`).catch(() => null);
    if (ready?.ok) break;
    if (i > 100) throw new Error("the agent did not become ready");
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`agent ready; letting jobs run for ${values.seconds} s`);
  await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));

  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    for (const [scheme, file] of [
      ["light", "status-page.png"],
      ["dark", "status-page-dark.png"],
    ]) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 760 },
        colorScheme: scheme,
      });
      const page = await context.newPage();
      await page.goto(`${url}/`);
      await page.fill("#token", TOKEN);
      await page.click("form.login button");
      await page.waitForSelector("#jobs");
      await page.screenshot({ path: path.join(ROOT, "docs", file) });
      if (scheme === "light") {
        await page.click('tr[data-job="flaky-sync"] th a');
        await page.waitForSelector("#runs");
        await page.locator("details").first().evaluate((d) => {
          d.open = true;
        });
        await page.screenshot({ path: path.join(ROOT, "docs", "status-page-job.png") });
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.error("written: docs/status-page.png, docs/status-page-dark.png, docs/status-page-job.png");
} finally {
  agent.kill("SIGTERM");
  await new Promise((r) => agent.once("exit", r));
  await rm(dir, { recursive: true, force: true });
}
