// Publishes run summaries and the agent's state to the orphan status branch, from a clone of
// its own in <dataDir>/status. Each attempt starts again from what the remote holds, so a push
// rejected because someone else pushed is simply re-applied on top of theirs.

import { access, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SimpleGit } from "simple-git";
import type { Logger } from "../log.js";
import { createRedactor, type Redactor } from "../secrets/redactor.js";
import { type GitAccess, gitErrorText, gitIn } from "./git.js";
import { parseRuns } from "./last-runs.js";
import { commitMessage } from "./render.js";
import type { StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";
import { applyToTree, jobFolder } from "./tree.js";

export interface StatusBranchWriterOptions extends GitAccess {
  /** The writer's own working clone, e.g. `<dataDir>/status`. */
  dir: string;
  repoUrl: string;
  branch: string;
  /** Runs kept per job in runs.jsonl. */
  history: number;
  logger: Logger;
  /** Fetch–apply–push rounds before giving up on a branch that keeps moving. */
  maxAttempts?: number;
  /** Everything written to the branch passes through it; default: one that knows the token. */
  redactor?: Redactor;
}

export interface PublishInput {
  summaries: readonly RunSummary[];
  /** Written as state.json; null keeps the branch's current one. */
  state: StatusState | null;
}

export interface PublishResult {
  /** False when the branch already held everything (e.g. a replay after a crash). */
  pushed: boolean;
  commit?: string;
  /** Summaries that were new to the branch. */
  appended: number;
}

/** The remote is down, slow or refused us: keep the outbox and try again later. */
export class StatusPushError extends Error {
  override name = "StatusPushError";
  readonly retryable = true;
}

const AUTHOR = { name: "gitcron", email: "gitcron@localhost" };
const REJECTED = /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|cannot lock ref/i;
const NO_REMOTE_BRANCH = /couldn't find remote ref/i;

export class StatusBranchWriter {
  // Made in prepare(): simple-git refuses a folder that does not exist yet.
  private git!: SimpleGit;
  private readonly options: StatusBranchWriterOptions;
  private prepared = false;

  private readonly redactor: Redactor;

  constructor(options: StatusBranchWriterOptions) {
    this.options = options;
    this.redactor = options.redactor ?? createRedactor(options.gitToken ? [options.gitToken] : []);
  }

  private get trackingRef() {
    return `refs/remotes/origin/${this.options.branch}`;
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    await this.prepare();
    const attempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remoteExists = await this.fetch();
      const ours = await this.revParse(`refs/heads/${this.options.branch}`);
      await this.checkoutBase(remoteExists);
      if (remoteExists && ours) await this.restoreFrom(ours);
      const { appended } = await applyToTree({
        root: this.options.dir,
        summaries: input.summaries,
        state: input.state,
        history: this.options.history,
        branch: this.options.branch,
        logger: this.options.logger,
        redactor: this.redactor,
      });
      const fresh = input.summaries.filter((_, i) => appended.has(i));
      const committed = await this.commitIfChanged(this.redactor.redact(commitMessage(fresh)));
      const head = await this.revParse("HEAD");
      if (!committed && remoteExists)
        return { pushed: false, appended: 0, ...(head && { commit: head }) };
      try {
        await this.git.raw([
          "push",
          "--porcelain",
          "origin",
          `HEAD:refs/heads/${this.options.branch}`,
        ]);
      } catch (err) {
        const text = gitErrorText(err, this.options);
        if (attempt < attempts && REJECTED.test(String((err as Error).message))) {
          this.options.logger.info(
            { attempt },
            "status push rejected (the branch moved); re-applying",
          );
          continue;
        }
        throw new StatusPushError(`cannot push the status branch: ${text}`);
      }
      // The tracking ref now matches what we pushed, so the next fetch is a fast-forward.
      if (head) await this.git.raw(["update-ref", this.trackingRef, head]);
      return { pushed: true, appended: fresh.length, ...(head && { commit: head }) };
    }
    throw new StatusPushError(
      `cannot push the status branch: it changed under us ${attempts} times in a row`,
    );
  }

  /** A job's runs as our copy of the branch held them at the last publish. */
  async runsOf(job: string): Promise<RunSummary[]> {
    const file = join(this.options.dir, jobFolder(job), "runs.jsonl");
    const text = await readFile(file, "utf8").catch(() => "");
    return parseRuns(text, file, this.options.logger);
  }

  /** Records on our last copy of the branch that the remote's tip lacks come back: another
   * agent's push keeps them anyway, and someone's force-push must not erase them. Only the
   * runs.jsonl files that differ are read, so a normal race costs little. */
  private async restoreFrom(ours: string): Promise<void> {
    const changed = (await this.git.raw(["diff", "--name-only", "-z", ours, "HEAD", "--", "jobs"]))
      .split("\0")
      .filter((f) => f.endsWith("/runs.jsonl"));
    if (changed.length === 0) return;
    const known: RunSummary[] = [];
    for (const file of changed) {
      // A file the remote has and our copy lacks has nothing of ours to restore.
      const text = await this.git.raw(["show", `${ours}:${file}`]).catch(() => "");
      known.push(...parseRuns(text, file, this.options.logger));
    }
    const { appended } = await applyToTree({
      root: this.options.dir,
      summaries: known,
      state: null,
      history: this.options.history,
      branch: this.options.branch,
      logger: this.options.logger,
      redactor: this.redactor,
    });
    if (appended.size > 0) {
      this.options.logger.warn(
        { restored: appended.size },
        "status branch lost records we had pushed (rewritten by someone?); restoring them",
      );
    }
  }

  /** A repository of its own, configured locally: never the user's global identity or hooks. */
  private async prepare(): Promise<void> {
    if (this.prepared) return;
    const { dir, repoUrl } = this.options;
    await mkdir(dir, { recursive: true });
    this.git = gitIn(dir, this.options);
    const exists = await access(join(dir, ".git")).then(
      () => true,
      () => false,
    );
    if (!exists) await this.git.init();
    for (const [key, value] of [
      ["user.name", AUTHOR.name],
      ["user.email", AUTHOR.email],
      ["commit.gpgsign", "false"],
      ["core.autocrlf", "false"],
      ["gc.auto", "256"],
    ] as const) {
      await this.git.addConfig(key, value);
    }
    const remotes = await this.git.getRemotes();
    if (remotes.some((r) => r.name === "origin"))
      await this.git.raw(["remote", "set-url", "origin", repoUrl]);
    else await this.git.addRemote("origin", repoUrl);
    this.prepared = true;
  }

  /** True when the branch exists on the remote (now in the tracking ref). */
  private async fetch(): Promise<boolean> {
    const knewIt = (await this.revParse(this.trackingRef)) !== null;
    const { branch } = this.options;
    try {
      // Only the tip: the status branch grows by a commit per flush and its history is not needed.
      await this.git.raw([
        "fetch",
        "--no-tags",
        "--depth=1",
        "origin",
        `+refs/heads/${branch}:${this.trackingRef}`,
      ]);
      return true;
    } catch (err) {
      if (NO_REMOTE_BRANCH.test(String((err as Error).message))) {
        if (knewIt) {
          this.options.logger.warn(
            { branch },
            "status branch deleted on the remote; rebuilding it",
          );
          await this.git.raw(["update-ref", "-d", this.trackingRef]);
        }
        return false;
      }
      throw new StatusPushError(
        `cannot fetch the status branch: ${gitErrorText(err, this.options)}`,
      );
    }
  }

  /** The files to apply the batch to: the remote's tip; else (the branch is new, or was
   * deleted by someone) the last content we knew, as a fresh orphan commit, so the branch is
   * rebuilt without pushing a shallow history the remote cannot take. */
  private async checkoutBase(remoteExists: boolean): Promise<void> {
    const { branch } = this.options;
    const local = `refs/heads/${branch}`;
    if (remoteExists) {
      await this.git.raw(["checkout", "-q", "-f", "-B", branch, this.trackingRef]);
    } else {
      if (await this.revParse(local)) {
        await this.git.raw(["checkout", "-q", "-f", branch]);
        await this.git.raw(["update-ref", "-d", local]);
      } else {
        await this.git.raw(["symbolic-ref", "HEAD", local]);
        await this.git.raw(["rm", "-r", "-q", "--cached", "--ignore-unmatch", "."]);
      }
    }
    await this.git.raw(["clean", "-f", "-d", "-q"]);
  }

  private async commitIfChanged(message: string): Promise<boolean> {
    // --force: a .gitignore someone put on the branch must not hide our files.
    await this.git.raw(["add", "-A", "--force"]);
    const status = await this.git.raw(["status", "--porcelain"]);
    if (status.trim() === "") return false;
    await this.git.raw(["commit", "-q", "--no-verify", "-m", message]);
    return true;
  }

  private async revParse(ref: string): Promise<string | null> {
    try {
      return (await this.git.raw(["rev-parse", "--verify", "-q", ref])).trim() || null;
    } catch {
      return null;
    }
  }
}
