// The lease and the standbys' announcements as refs where the status branch lives (SPEC §3):
// refs/gitcron/lease/<agent id> holds one parentless commit naming the holder, replaced by a
// push that succeeds only if the ref is still at the commit the pusher expects
// (--force-with-lease: the Git server arbitrates); refs/gitcron/standby/<agent id>/<process>
// is a standby's own, replaced on each announcement. Outside refs/heads, so no CI runs on them.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Git, type GitAccess, GitError, gitRunner } from "../git/run.js";
import { emptyTreeCommit, gitErrorText } from "../status/git.js";
import { withoutUserinfo } from "../text/url-credentials.js";

/** Who holds (or wants) the lease: a random id per process, its host and pid, and a hash of
 * its host and data folder, by which an agent restarted in place knows its own lease. */
export interface Holder {
  process: string;
  host: string;
  pid: number;
  home: string;
}

export interface LeaseView {
  /** The lease commit, or null when there is none. */
  oid: string | null;
  /** The standbys' announcements: process id → commit. */
  standbys: Map<string, string>;
}

const REJECTED =
  /\[rejected\]|\[remote rejected\]|stale info|non-fast-forward|fetch first|already exists/i;

export class LeaseRefusedError extends Error {
  override name = "LeaseRefusedError";
}

export function parseHolder(message: string): Holder | null {
  try {
    const v = JSON.parse(message.trim()) as Partial<Holder>;
    if (
      typeof v.process === "string" &&
      typeof v.host === "string" &&
      typeof v.pid === "number" &&
      typeof v.home === "string"
    )
      return { process: v.process, host: v.host, pid: v.pid, home: v.home };
  } catch {
    // not a lease commit of ours
  }
  return null;
}

/** What a lease commit says: its holder and the time, so that each one is new. */
export const leaseMessage = (holder: Holder) =>
  `${JSON.stringify({ ...holder, at: new Date().toISOString() })}\n`;

export class LeaseRemote {
  private prepared = false;
  private readonly git: Git;

  constructor(
    private readonly options: Omit<GitAccess, "remoteUrl"> & {
      /** A bare repository of its own, e.g. <data-dir>/lease. */
      dir: string;
      remote: string;
      agent: string;
    },
  ) {
    this.git = gitRunner({ ...options, remoteUrl: options.remote }, { cwd: options.dir });
  }

  /** The remote as argv names it: its credentials reach git through the environment. */
  private get remote() {
    return withoutUserinfo(this.options.remote);
  }

  get leaseRef() {
    return `refs/gitcron/lease/${this.options.agent}`;
  }

  standbyRef(process: string) {
    return `refs/gitcron/standby/${this.options.agent}/${process}`;
  }

  /** An error of ours in one line, free of credentials: what the agent may log. */
  errorText(err: unknown): string {
    return gitErrorText(err, this.options);
  }

  private async prepare(): Promise<void> {
    if (this.prepared) return;
    await mkdir(this.options.dir, { recursive: true });
    if (!existsSync(join(this.options.dir, "HEAD"))) await this.git(["init", "--bare", "--quiet"]);
    this.prepared = true;
  }

  /** The lease and the announcements, in one request. */
  async look(): Promise<LeaseView> {
    await this.prepare();
    const out = await this.git([
      "ls-remote",
      this.remote,
      this.leaseRef,
      `refs/gitcron/standby/${this.options.agent}/*`,
    ]);
    const view: LeaseView = { oid: null, standbys: new Map() };
    for (const line of out.split("\n")) {
      const [oid, ref] = line.split("\t");
      if (!oid || !ref) continue;
      if (ref === this.leaseRef) view.oid = oid;
      else view.standbys.set(ref.slice(ref.lastIndexOf("/") + 1), oid);
    }
    return view;
  }

  /** Who a lease commit names (fetched when not here yet); null if it names no one we know. */
  async holderOf(oid: string): Promise<Holder | null> {
    await this.prepare();
    const read = () => this.git(["cat-file", "commit", oid]);
    let text: string;
    try {
      text = await read();
    } catch {
      await this.git(["fetch", "--no-tags", "--no-write-fetch-head", this.remote, this.leaseRef]);
      text = await read().catch(() => "");
    }
    const body = text.slice(text.indexOf("\n\n") + 2);
    return parseHolder(body);
  }

  /** Pushes a new lease commit naming `holder` if the lease is still at `expected` (null: it must
   * not exist); the new commit's id, or LeaseRefusedError when the server refused. */
  async claim(holder: Holder, expected: string | null): Promise<string> {
    const commit = await this.commitNaming(holder);
    await this.push(this.leaseRef, commit, expected);
    return commit;
  }

  /** Announces a standby: its own ref, a new commit each time so the leader sees it change. */
  async announce(holder: Holder): Promise<void> {
    const commit = await this.commitNaming(holder);
    await this.git([
      "push",
      "--force",
      this.remote,
      `${commit}:${this.standbyRef(holder.process)}`,
    ]);
  }

  /** Removes another process's announcement, only if it still is `oid` (it did not come back
   * meanwhile). */
  async forget(process: string, oid: string): Promise<void> {
    await this.prepare();
    const ref = this.standbyRef(process);
    await this.git(["push", `--force-with-lease=${ref}:${oid}`, this.remote, `:${ref}`]);
  }

  /** Removes a ref of ours at stop: our announcement, or the lease (only if still ours), so a
   * standby takes over at once instead of after a whole lease. Best effort. */
  async withdraw(holder: Holder, lease: string | null): Promise<void> {
    const refs = [`:${this.standbyRef(holder.process)}`];
    const args = ["push"];
    if (lease) {
      args.push(`--force-with-lease=${this.leaseRef}:${lease}`);
      refs.push(`:${this.leaseRef}`);
    }
    await this.git([...args, this.remote, ...refs]).catch(() => undefined);
  }

  /** A parentless commit of the empty tree whose message names `holder` and the time: each
   * one is new, so whoever watches the ref sees it change. */
  private async commitNaming(holder: Holder): Promise<string> {
    await this.prepare();
    return emptyTreeCommit(this.git, leaseMessage(holder), new Date());
  }

  private async push(ref: string, commit: string, expected: string | null): Promise<void> {
    try {
      await this.git([
        "push",
        `--force-with-lease=${ref}:${expected ?? ""}`,
        this.remote,
        `${commit}:${ref}`,
      ]);
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      // A refused push says why on a line of its own.
      if (REJECTED.test(err.details.output)) throw new LeaseRefusedError("the lease moved");
      const last = err.details.stderr.trim().split("\n").at(-1) || err.message;
      throw new Error(`cannot push the lease: ${gitErrorText(last, this.options)}`);
    }
  }
}
