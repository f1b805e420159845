// Which files are job files, and what kind of place `--repo` names. Pure, apart from the
// two existence checks classifyRepo makes once at start-up.

import { existsSync } from "node:fs";
import { posix, resolve } from "node:path";
import { UsageError } from "../errors.js";

/** SPEC §1: every *.yaml / *.yml below the jobs path; dot-folders (and dot-files) are skipped. */
export function isJobFile(relativePath: string): boolean {
  if (!/\.ya?ml$/i.test(relativePath)) return false;
  return relativePath.split("/").every((part) => part !== "" && !part.startsWith("."));
}

/** The jobs path as a clean relative POSIX path: "." for the root, never leaving it. */
export function normalizeJobsPath(path: string): string {
  const clean = posix.normalize(path.replaceAll("\\", "/").trim() || ".").replace(/\/+$/, "");
  if (clean.startsWith("/") || clean === ".." || clean.startsWith("../")) {
    throw new UsageError(
      `--path ${JSON.stringify(path)} must be a folder inside the repository (a relative path)`,
    );
  }
  return clean === "" ? "." : clean;
}

/** A path relative to the repository root → relative to the jobs path, or null if outside it. */
export function relativeToJobsPath(repoPath: string, jobsPath: string): string | null {
  if (jobsPath === ".") return repoPath;
  const prefix = `${jobsPath}/`;
  return repoPath.startsWith(prefix) ? repoPath.slice(prefix.length) : null;
}

export type RepoKind = { type: "git"; url: string } | { type: "folder"; folder: string };

/** A URL (scheme:// or scp-like host:path) or a local repository → Git; a plain folder → watched. */
export function classifyRepo(repo: string): RepoKind {
  const value = repo.trim();
  if (value === "") throw new UsageError("--repo is empty: give a Git URL or a local folder");
  // Git would read a leading dash as an option.
  if (value.startsWith("-")) throw new UsageError(`--repo ${JSON.stringify(value)} is not a URL`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { type: "git", url: value };
  // Git's own rule: a colon before the first slash makes it scp-like (git@host:org/repo.git).
  if (/^[^/]+:/.test(value) && !value.startsWith(".")) return { type: "git", url: value };
  const folder = resolve(value);
  const isRepository =
    existsSync(resolve(folder, ".git")) ||
    (existsSync(resolve(folder, "HEAD")) && existsSync(resolve(folder, "objects")));
  return isRepository ? { type: "git", url: folder } : { type: "folder", folder };
}
