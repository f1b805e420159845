// Where desired state comes from: a Git repository (fetched) or a plain folder (watched).
// The agent sees one contract for both: sync() returns a snapshot of the job files and what
// changed since the revision it last applied.

import type { Env } from "../git/run.js";
import type { JobFileContent } from "../jobs/job-file.js";
import type { Logger } from "../log.js";
import { createFolderSource } from "./folder-source.js";
import { createGitSource } from "./git-source.js";
import { classifyRepo, normalizeJobsPath } from "./job-files.js";

export interface JobFileChange {
  /** Relative to the jobs path, forward slashes. */
  path: string;
  kind: "added" | "modified" | "deleted";
}

export interface Snapshot {
  /** Commit SHA; for a plain folder a content digest of the job files. */
  revision: string;
  /** Every entry named like a job file (*.yaml/*.yml below the jobs path, dot-folders skipped),
   * relative to the jobs path — links and other non-files too, so that they are rejected. */
  files: string[];
  /** Since the `since` revision passed to sync(); all files as "added" when since is null or unknown. */
  changes: JobFileChange[];
  /** A file's content in this revision, or why it is not a job file (a link, too large…).
   * Never follows a link and never reads past the size cap. */
  read(path: string): Promise<JobFileContent>;
  /** Git sources, when `since` was a commit: reads the files as that revision had them (what
   * a change changed from). */
  previous?(): Promise<(path: string) => Promise<JobFileContent>>;
  /** Set when the jobs path is not in this revision at all (a moved folder, a --path typo), as
   * against a folder that holds no job files. */
  jobsPathMissing?: true;
}

export interface Source {
  /** Fetch (git) or rescan (folder) and return the snapshot. Rejects with SourceError (retryable or not) — never hangs: network ops have a timeout. */
  sync(since: string | null, signal?: AbortSignal): Promise<Snapshot>;
  /** Folder sources: call back (debounced) when files change, so the agent syncs at once. Returns an unsubscribe. Git sources: no-op. */
  watch(onChange: () => void): () => void;
  /** Git sources: asks the remote whether the repository and branch exist and the credentials
   * are taken, without fetching. Rejects with a SourceError whose `wrongSetting` says which one
   * when the remote says no; other failures (the network) reject without it. */
  probe?(signal?: AbortSignal): Promise<void>;
  /** A one-line description with credentials removed (for logs and state.json). */
  readonly description: string;
  close(): Promise<void>;
}

export interface SourceOptions {
  /** A Git URL (https, ssh, file, scp-like) or a local path; a local folder without `.git` is watched. */
  repo: string;
  /** The environment git runs in, as the entry point read it (nothing below reads process.env). */
  env: Env;
  /** Default: the remote's default branch. */
  branch?: string;
  /** The jobs path inside the repository or folder ("." for the root). */
  path: string;
  /** The fetched repository lives in `<dataDir>/jobs.git`. */
  dataDir: string;
  /** GITCRON_GIT_TOKEN: sent to https remotes as a header, never stored in the clone. */
  gitToken?: string;
  /** An SSH allowed-signers file: only head commits signed by one of its keys are applied. */
  verifySignatures?: string;
  /** The longest a Git network operation may stay silent; a sync's hard deadline is a few times this. Default 60 s. */
  timeoutMs?: number;
  logger: Logger;
  /** Folder sources: how long a burst of file events is merged before onChange fires. Default 200 ms. */
  debounceMs?: number;
}

export { SourceError } from "./source-error.js";

export function createSource(options: SourceOptions): Source {
  const jobsPath = normalizeJobsPath(options.path);
  const kind = classifyRepo(options.repo);
  if (kind.type === "folder")
    return createFolderSource({ ...options, folder: kind.folder, jobsPath });
  return createGitSource({ ...options, url: kind.url, jobsPath });
}
