// Screenshots of the status page for the docs, from a real agent (the built CLI) running a few
// real jobs on the local Docker engine: docs/status-page.png, docs/status-page-dark.png and
// docs/status-page-job.png. Needs `npm run build`, Docker, the test image and Debian's Chromium
// (scripts/test-env.sh installs them).
//
//   node scripts/page-screenshot.mjs [--seconds 60] [--out DIR] [--compare DIR]
//
// --out writes the screenshots elsewhere than docs/. --compare (CI: `--out test-artifacts/...
// --compare docs`) checks each against the image of the same name there, loosely, since the
// jobs' history differs from run to run: the same size in pixels, a file size within half and
// twice, and not blank (no colour covers 98% of it, at least 16 colours); exit 1 otherwise.

import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.GITCRON_CHROMIUM ?? "/usr/bin/chromium";
const IMAGE = process.env.GITCRON_TEST_IMAGE ?? "gitcron-test/busybox:1";
const TOKEN = "screenshot-token-0123456789abcdef";
const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    out: { type: "string", default: "docs" },
    compare: { type: "string" },
  },
});
const OUT = path.resolve(ROOT, values.out);
const FILES = ["status-page.png", "status-page-dark.png", "status-page-job.png"];

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
    path.join(ROOT, "dist/bin/gitcron.cjs"),
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

  await mkdir(OUT, { recursive: true });
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
      await page.screenshot({ path: path.join(OUT, file) });
      if (scheme === "light") {
        await page.click('tr[data-job="flaky-sync"] th a');
        await page.waitForSelector("#runs");
        await page.locator("details").first().evaluate((d) => {
          d.open = true;
        });
        await page.screenshot({ path: path.join(OUT, "status-page-job.png") });
      }
      await context.close();
    }
    console.error(`written: ${FILES.map((f) => path.relative(ROOT, path.join(OUT, f))).join(", ")}`);
    if (values.compare) {
      const problems = await compare(browser, path.resolve(ROOT, values.compare));
      for (const p of problems) console.error(`screenshot: ${p}`);
      if (problems.length > 0) process.exitCode = 1;
      else console.error(`the screenshots match ${values.compare}/ (size, file size, not blank)`);
    }
  } finally {
    await browser.close();
  }
} finally {
  agent.kill("SIGTERM");
  await new Promise((r) => agent.once("exit", r));
  await rm(dir, { recursive: true, force: true });
}

/** What a PNG shows, as Chromium decodes it: its size, its colours and the share of the
 * commonest one. */
async function pixelStats(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    const data = context.getImageData(0, 0, img.width, img.height).data;
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return {
      width: img.width,
      height: img.height,
      colours: counts.size,
      commonest: Math.max(...counts.values()) / (data.length / 4),
    };
  }, png.toString("base64"));
}

/** The new screenshots against the images of the same names in `dir`; what does not match. */
async function compare(browser, dir) {
  const page = await browser.newPage();
  const problems = [];
  for (const file of FILES) {
    const [made, kept] = await Promise.all([
      readFile(path.join(OUT, file)),
      readFile(path.join(dir, file)),
    ]);
    const [now, then] = [await pixelStats(page, made), await pixelStats(page, kept)];
    if (now.width !== then.width || now.height !== then.height)
      problems.push(`${file} is ${now.width}x${now.height}, ${then.width}x${then.height} in ${dir}`);
    const ratio = made.length / kept.length;
    if (ratio < 0.5 || ratio > 2)
      problems.push(`${file} is ${made.length} bytes, ${kept.length} in ${dir} (x${ratio.toFixed(2)})`);
    if (now.colours < 16 || now.commonest > 0.98)
      problems.push(
        `${file} looks blank: ${now.colours} colours, ${(now.commonest * 100).toFixed(1)}% of one`,
      );
  }
  await page.close();
  return problems;
}
