// Reading git's machine output (-z: NUL-separated, never quoted) into job-file changes.

import { isJobFile, relativeToJobsPath } from "./job-files.js";
import type { JobFileChange } from "./source.js";

/** `git diff --no-renames --name-status -z A B` → the job files that changed. A rename is
 * reported by git (with --no-renames) as a deletion and an addition, which is what a job
 * file's move means to the agent. */
export function jobFileChanges(output: string, jobsPath: string): JobFileChange[] {
  const fields = output.split("\0");
  const changes: JobFileChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i] ?? "";
    const path = relativeToJobsPath(fields[i + 1] ?? "", jobsPath);
    if (!path || !isJobFile(path)) continue;
    const kind = status.startsWith("A") ? "added" : status.startsWith("D") ? "deleted" : "modified";
    changes.push({ path, kind });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind));
}
