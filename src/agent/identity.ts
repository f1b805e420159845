// Who this agent is and where it writes: its id (one per repository, branch and path), the key
// of the settings its saved specs were judged by, and its status repository.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Env, gitRunner } from "../git/run.js";
import type { AgentSettings } from "../settings.js";
import { classifyRepo } from "../source/job-files.js";
import { withoutUserinfo } from "../text/url-credentials.js";
import { version } from "../version.js";

/** Agents following the same repository, branch and path are one agent for the engine: a
 * second one (or the next start) adopts the runs of the first; an agent of another repository
 * has another id. Credentials are not part of it. */
export const agentIdOf = (s: Pick<AgentSettings, "repo" | "branch" | "path">) =>
  createHash("sha256")
    .update(JSON.stringify([withoutUserinfo(s.repo), s.branch ?? "", s.path]))
    .digest("hex")
    .slice(0, 12);

/** Changes when a setting that affects validation changes: the saved specs are read again. */
export const settingsKeyOf = (s: AgentSettings) =>
  createHash("sha256")
    .update(JSON.stringify([s.path, s.timezone, s.policy, version]))
    .digest("hex")
    .slice(0, 16);

/** --status-repo if given; else --repo, unless that is a watched folder, which has no remote:
 * then the status branch lives in a bare repository in --data-dir. */
export async function statusRepoFor(settings: AgentSettings, env: Env): Promise<string> {
  if (settings.statusRepo) return settings.statusRepo;
  if (classifyRepo(settings.repo).type !== "folder") return settings.repo;
  const bare = join(settings.dataDir, "status.git");
  if (!existsSync(join(bare, "HEAD")))
    await gitRunner({ env })(["init", "--bare", "--quiet", bare]);
  return pathToFileURL(bare).href;
}
