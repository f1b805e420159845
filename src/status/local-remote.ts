// A watched folder has no remote to push the status branch to; the agent keeps one in its
// data folder instead, so the status branch works the same way (`git --git-dir
// <dataDir>/status.git log gitcron-status`).

import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gitIn } from "./git.js";

/** Creates `<dataDir>/status.git` (bare) when missing and returns its file:// URL. */
export async function ensureLocalStatusRemote(dataDir: string): Promise<string> {
  const dir = join(dataDir, "status.git");
  await mkdir(dir, { recursive: true });
  const exists = await access(join(dir, "HEAD")).then(
    () => true,
    () => false,
  );
  if (!exists) await gitIn(dir).init(true);
  return pathToFileURL(dir).href;
}
