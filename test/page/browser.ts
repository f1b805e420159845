// Debian's Chromium driven by playwright-core (no browser download), and where screenshots go.
// A missing Chromium fails the tests that need it: scripts/test-env.sh installs it.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = process.env.GITCRON_CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: run scripts/test-env.sh (apt-get install chromium), or set GITCRON_CHROMIUM`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM });
}

/** test-artifacts/page/ at the repository root, or GITCRON_TEST_ARTIFACTS/page. */
export async function artifactsDir(): Promise<string> {
  const root =
    process.env.GITCRON_TEST_ARTIFACTS ?? resolve(import.meta.dirname, "../../test-artifacts");
  const dir = join(root, "page");
  await mkdir(dir, { recursive: true });
  return dir;
}
