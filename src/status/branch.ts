// Publishes run summaries and the agent's state to the orphan status branch, from a bare
// repository of its own in <dataDir>/status. Each attempt starts again from what the remote
// holds, so a push rejected because someone else pushed is re-applied on top of theirs.
//
// Publishing costs what the batch costs (SPEC §10): only the tip is fetched (depth 1); the files
// the batch touches are read from Git's objects in one `cat-file --batch`; the new commit is made
// by one `git fast-import` with just those files, the README and — when it changed — state.json.
// No working tree, no index: nothing scans the branch's thousands of files. Each job's last run
// is kept in memory for the README, read once from the tip. Now and then the tip is made shallow
// and `git gc --prune=now` removes every older commit: the folder stays bounded.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SimpleGit } from "simple-git";
import type { Logger } from "../log.js";
import { createRedactor, type Redactor } from "../secrets/redactor.js";
import { type GitAccess, gitErrorText, gitIn, gitWithInput } from "./git.js";
import { type LastRuns, parseRuns, readLastRuns } from "./last-runs.js";
import { recordKey } from "./outbox.js";
import { commitMessage, renderReadme } from "./render.js";
import { isStatusState, type StatusState } from "./state.js";
import type { RunSummary } from "./summary.js";
import {
  lastPath,
  lastText,
  mergeRunsText,
  runsPath,
  stateChanged,
  stateKey,
  stateText,
} from "./tree.js";

export interface StatusBranchWriterOptions extends GitAccess {
  /** The writer's own bare repository, e.g. `<dataDir>/status`. */
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
  /** Every this many pushes, objects no longer reachable are removed. Default 50. */
  gcEvery?: number;
  /** Sooner when the objects grow this many bytes beyond twice what was left after the last
   * tidy-up (each commit rewrites whole runs.jsonl files). Default 16 MB. */
  gcSlackBytes?: number;
  /** The clock, for the README's next runs and state.json's refresh (tests). */
  now?: () => Date;
}

export interface PublishInput {
  summaries: readonly RunSummary[];
  /** Written as state.json when it changed; null keeps the branch's current one. */
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

const COMMITTER = "gitcron <gitcron@localhost>";
const REJECTED = /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|cannot lock ref/i;
const NO_REMOTE_BRANCH = /couldn't find remote ref/i;

/** What the writer knows of the branch at one commit, to answer without reading it all again. */
interface Known {
  commit: string | null;
  state: StatusState | null;
  /** stateKey() of the state this writer last wrote, when it did. */
  stateKey: string | null;
  runs: LastRuns;
  /** Each job's runs.jsonl blob id: read by id, Git need not walk a tree of 5,000 folders. */
  oids: Map<string, string>;
}

export class StatusBranchWriter {
  private git!: SimpleGit;
  private readonly options: StatusBranchWriterOptions;
  private readonly redactor: Redactor;
  private prepared = false;
  private known: Known | null = null;
  private pushesSinceGc = 0;
  /** The objects' size after the last tidy-up (null: not measured yet). */
  private tidiedBytes: number | null = null;

  constructor(options: StatusBranchWriterOptions) {
    this.options = options;
    this.redactor = options.redactor ?? createRedactor(options.gitToken ? [options.gitToken] : []);
  }

  private get local() {
    return `refs/heads/${this.options.branch}`;
  }

  private get trackingRef() {
    return `refs/remotes/origin/${this.options.branch}`;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    await this.prepare();
    // We are the branch's only writer, so it is almost always where we left it: build on our
    // last commit and push; the push is refused if the branch moved, and then the round starts
    // from what the remote holds.
    if (this.known?.commit) {
      const last = this.known.commit;
      const outcome = await this.round(input, { tip: last, ours: last, optimistic: true });
      if (outcome !== "rejected") return outcome;
      this.known = null;
    }
    const attempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remoteExists = await this.fetch();
      const tip = remoteExists ? await this.revParse(this.trackingRef) : null;
      const ours = await this.revParse(this.local);
      const outcome = await this.round(input, { tip, ours, optimistic: false });
      if (outcome !== "rejected") return outcome;
      this.known = null;
      if (attempt < attempts) {
        this.options.logger.info(
          { attempt },
          "status push rejected (the branch moved); re-applying",
        );
        // Two writers in step (two agents on one repository) would otherwise lose to each
        // other every round; a random wait that grows lets one through.
        await new Promise((r) => setTimeout(r, Math.random() * 100 * attempt));
      }
    }
    throw new StatusPushError(
      `cannot push the status branch: it changed under us ${attempts} times in a row`,
    );
  }

  /** One round: apply the batch on `tip` (the remote's, as far as we know) and push. `ours` is
   * our last commit, whose records a rewrite of the branch may have erased. An optimistic round
   * (no fetch first) is "rejected" whatever stopped its push: the fetch that follows says why. */
  private async round(
    input: PublishInput,
    at: { tip: string | null; ours: string | null; optimistic: boolean },
  ): Promise<PublishResult | "rejected"> {
    const { tip, ours } = at;
    const phases = createPhases();
    // The base of the new commit: the remote's tip; else (a new branch, or one someone
    // deleted) the content we knew last, as a fresh orphan commit.
    const base = tip ?? ours;
    const known = await this.knownAt(base);
    const restored = tip && ours && ours !== tip ? await this.erasedBy(ours, tip) : [];
    const summaries = [...restored, ...input.summaries];
    const byJob = new Map<string, RunSummary[]>();
    for (const s of summaries) byJob.set(s.job, [...(byJob.get(s.job) ?? []), s]);
    const existing = await this.readRuns(known, [...byJob.keys()]);
    phases.mark("read");

    const files = new Map<string, string>();
    const fresh: RunSummary[] = [];
    for (const [job, incoming] of byJob) {
      const path = runsPath(job);
      const merged = mergeRunsText(
        existing.get(path) ?? "",
        incoming.map((s) => this.redactor.value(s)),
        this.options.history,
        (text) => parseRuns(text, path, this.options.logger),
      );
      if (!merged) continue;
      fresh.push(...merged.fresh);
      files.set(path, merged.text);
      files.set(lastPath(job), lastText(merged.last));
      known.runs.last[job] = merged.last;
      if (merged.lastStarted) known.runs.started[job] = merged.lastStarted;
      else delete known.runs.started[job];
    }
    const asked = new Set(input.summaries.map(recordKey));
    const freshAsked = fresh.filter((s) => asked.has(recordKey(s)));
    if (fresh.length > freshAsked.length) {
      this.options.logger.warn(
        { restored: fresh.length - freshAsked.length },
        "status branch lost records we had pushed (rewritten by someone?); restoring them",
      );
    }
    const now = this.now();
    if (input.state && stateChanged(known.stateKey, known.state, input.state, now.getTime())) {
      const state = this.redactor.value(input.state);
      files.set("state.json", stateText(state));
      known.state = state;
      known.stateKey = stateKey(input.state);
    }
    if (files.size === 0 && tip) return { pushed: false, appended: 0, commit: tip };
    phases.mark("merge");
    files.set(
      "README.md",
      this.redactor.redact(
        renderReadme({ state: known.state, runs: known.runs, branch: this.options.branch, now }),
      ),
    );
    phases.mark("readme");
    const message = this.redactor.redact(commitMessage(freshAsked));
    const commit = await this.commit(tip ? { parent: tip } : { tree: base }, files, message);
    phases.mark("commit");
    try {
      const pushed = await this.git.raw([
        "push",
        "--porcelain",
        "origin",
        `${commit}:${this.local}`,
      ]);
      // "*" marks a ref the push created: the branch we built on was deleted meanwhile, and
      // our commit (which holds every record) has just rebuilt it.
      if (at.optimistic && /^\*\t/m.test(pushed)) this.rebuilding();
    } catch (err) {
      // Refused because the branch moved: the caller starts again from what the remote holds.
      if (at.optimistic || REJECTED.test(String((err as Error).message))) return "rejected";
      throw new StatusPushError(
        `cannot push the status branch: ${gitErrorText(err, this.options)}`,
      );
    }
    phases.mark("push");
    await this.git.raw(["update-ref", this.trackingRef, commit]);
    for (const [path, text] of files)
      if (path.endsWith("/runs.jsonl")) known.oids.set(path, blobId(text));
    this.known = { ...known, commit };
    await this.maintain(commit);
    this.options.logger.debug(
      { runs: freshAsked.length, files: files.size, ms: phases.done() },
      "status branch published",
    );
    return { pushed: true, appended: freshAsked.length, commit };
  }

  /** A job's runs as the branch held them at our last publish. */
  async runsOf(job: string): Promise<RunSummary[]> {
    if (!this.prepared) return [];
    const commit = await this.revParse(this.local);
    if (!commit) return [];
    const path = runsPath(job);
    const text = (await this.read(commit, [path])).get(path);
    return parseRuns(text ?? "", path, this.options.logger);
  }

  /** Several jobs' runs at once: one rev-parse and one batch read (the status page's 5,000). */
  async runsOfJobs(jobs: readonly string[]): Promise<Map<string, RunSummary[]>> {
    const out = new Map<string, RunSummary[]>();
    const commit = this.prepared ? await this.revParse(this.local) : null;
    if (!commit || jobs.length === 0) return out;
    const files = await this.read(commit, jobs.map(runsPath));
    for (const job of jobs) {
      const text = files.get(runsPath(job));
      if (text !== undefined) out.set(job, parseRuns(text, runsPath(job), this.options.logger));
    }
    return out;
  }

  /** The state and each job's last run at `commit`, from memory when it is the commit we
   * published last; else read from it (at start, or after someone else pushed). */
  private async knownAt(commit: string | null): Promise<Known> {
    if (this.known && this.known.commit === commit) return this.known;
    const empty = { last: {}, started: {} };
    if (!commit) return { commit, state: null, stateKey: null, runs: empty, oids: new Map() };
    const oids = new Map<string, string>();
    for (const line of (await this.git.raw(["ls-tree", "-r", "-z", commit, "jobs/"])).split("\0")) {
      const match = /^\d{6} blob ([0-9a-f]+)\t(jobs\/[^/]+\/runs\.jsonl)$/.exec(line);
      if (match) oids.set(match[2] as string, match[1] as string);
    }
    const folders = [...oids.keys()].map((p) => p.split("/")[1] as string);
    const runs = await readLastRuns(
      folders,
      (paths) => this.read(commit, paths),
      this.options.logger,
    );
    const text = (await this.read(commit, ["state.json"])).get("state.json");
    let state: StatusState | null = null;
    try {
      const value: unknown = text === undefined ? null : JSON.parse(text);
      state = isStatusState(value) ? value : null;
    } catch {
      state = null;
    }
    return { commit, state, stateKey: state ? stateKey(state) : null, runs, oids };
  }

  /** The runs.jsonl of these jobs at the known commit: by blob id where known, in one batch. */
  private async readRuns(known: Known, jobs: readonly string[]): Promise<Map<string, string>> {
    const paths = jobs.map(runsPath);
    const byId = paths.filter((p) => known.oids.has(p));
    const found = await this.read(
      null,
      byId.map((p) => known.oids.get(p) as string),
    ).then((blobs) => new Map(byId.map((p) => [p, blobs.get(known.oids.get(p) as string) ?? ""])));
    const rest = paths.filter((p) => !known.oids.has(p));
    for (const [p, text] of await this.read(known.commit, rest)) found.set(p, text);
    return found;
  }

  /** Objects by name, in one `cat-file --batch`: `commit:path` for each path when a commit is
   * given, else each name as it is (a blob id). Names that are not there are left out. */
  private async read(
    commit: string | null,
    names: readonly string[],
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (names.length === 0) return found;
    const out = await gitWithInput(
      this.options.dir,
      ["cat-file", "--batch"],
      `${names.map((n) => (commit ? `${commit}:${n}` : n)).join("\n")}\n`,
      this.options,
    );
    let at = 0;
    for (const name of names) {
      const newline = out.indexOf(0x0a, at);
      const header = out.subarray(at, newline).toString();
      at = newline + 1;
      const [, type, size] = header.split(" ");
      if (type !== "blob") continue;
      const length = Number(size);
      found.set(name, out.subarray(at, at + length).toString("utf8"));
      at += length + 1;
    }
    return found;
  }

  /** Records our last commit holds that the remote's tip lacks: a force-push or a rewrite by
   * someone erased them, and they come back. Only the runs.jsonl files that differ are read. */
  private async erasedBy(ours: string, tip: string): Promise<RunSummary[]> {
    const changed = (await this.git.raw(["diff", "--name-only", "-z", ours, tip, "--", "jobs"]))
      .split("\0")
      .filter((f) => f.endsWith("/runs.jsonl"));
    if (changed.length === 0) return [];
    const files = await this.read(ours, changed);
    return [...files].flatMap(([path, text]) => parseRuns(text, path, this.options.logger));
  }

  /** One commit on `parent` (or an orphan holding the tree of `tree`) with these files
   * changed, made by git fast-import: the cost is the files, not the branch. */
  private async commit(
    on: { parent: string } | { tree: string | null },
    files: ReadonlyMap<string, string>,
    message: string,
  ): Promise<string> {
    const data = (text: string) => {
      const bytes = Buffer.from(text);
      return [Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from("\n")];
    };
    const chunks: Buffer[] = [
      Buffer.from(
        `commit ${this.local}\ncommitter ${COMMITTER} ${Math.floor(this.now().getTime() / 1000)} +0000\n`,
      ),
      ...data(message),
    ];
    if ("parent" in on) chunks.push(Buffer.from(`from ${on.parent}\n`));
    // An orphan that starts from a tree we knew: `M 040000 <tree> ""` is the whole root.
    else if (on.tree) chunks.push(Buffer.from(`M 040000 ${await this.treeOf(on.tree)} ""\n`));
    for (const [path, text] of files) {
      chunks.push(Buffer.from(`M 100644 inline ${path}\n`), ...data(text));
    }
    await gitWithInput(
      this.options.dir,
      ["fast-import", "--quiet", "--force"],
      Buffer.concat(chunks),
      this.options,
    );
    return (await this.revParse(this.local)) as string;
  }

  /** The bytes of the repository's objects, loose and packed (`git count-objects`). */
  private async objectBytes(): Promise<number> {
    const counted = await this.git.raw(["count-objects", "-v"]);
    const kib = (key: string) => Number(new RegExp(`^${key}: (\\d+)`, "m").exec(counted)?.[1] ?? 0);
    return (kib("size") + kib("size-pack")) * 1024;
  }

  private async treeOf(commit: string): Promise<string> {
    return (await this.git.raw(["rev-parse", `${commit}^{tree}`])).trim();
  }

  /** Now and then, forgets every commit behind the tip and removes what that leaves unreached:
   * commits we build on our own tip (no fetch) would otherwise pile up without end. */
  private async maintain(tip: string): Promise<void> {
    this.pushesSinceGc++;
    const packed = await this.objectBytes();
    this.tidiedBytes ??= packed;
    const slack = this.options.gcSlackBytes ?? 16e6;
    if (this.pushesSinceGc < (this.options.gcEvery ?? 50) && packed < 2 * this.tidiedBytes + slack)
      return;
    this.pushesSinceGc = 0;
    const started = performance.now();
    // What `fetch --depth=1` does to a repository: the tip is recorded as having no parents
    // here (the remote has them all).
    await writeFile(join(this.options.dir, "shallow"), `${tip}\n`);
    await this.git.raw(["gc", "--quiet", "--prune=now"]).catch((err: unknown) => {
      this.options.logger.warn(
        { err: gitErrorText(err, this.options) },
        "could not tidy the status repository",
      );
    });
    this.tidiedBytes = await this.objectBytes();
    this.options.logger.debug(
      { ms: Math.round(performance.now() - started), before: packed, after: this.tidiedBytes },
      "status repository tidied",
    );
  }

  /** A bare repository of its own, configured locally: never the user's global identity or
   * hooks, no reflog (it would keep every old commit), no automatic gc in the background. */
  private async prepare(): Promise<void> {
    if (this.prepared) return;
    const { dir, repoUrl } = this.options;
    // Earlier versions kept a clone with a working tree here.
    if (existsSync(join(dir, ".git"))) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    this.git = gitIn(dir, this.options);
    if (!existsSync(join(dir, "HEAD"))) await this.git.init(["--bare", "--quiet"]);
    for (const [key, value] of [
      ["core.logAllRefUpdates", "false"],
      ["gc.auto", "0"],
      ["core.compression", "1"],
      ["pack.compression", "1"],
      ["commit.gpgsign", "false"],
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
          this.rebuilding();
          await this.git.raw(["update-ref", "-d", this.trackingRef]);
          this.known = null;
        }
        return false;
      }
      throw new StatusPushError(
        `cannot fetch the status branch: ${gitErrorText(err, this.options)}`,
      );
    }
  }

  private rebuilding(): void {
    this.options.logger.warn(
      { branch: this.options.branch },
      "status branch deleted on the remote; rebuilding it",
    );
  }

  private async revParse(ref: string): Promise<string | null> {
    try {
      return (
        (await this.git.raw(["rev-parse", "--verify", "-q", `${ref}^{commit}`])).trim() || null
      );
    } catch {
      return null;
    }
  }
}

/** Milliseconds spent in each named step since the last, for the debug log of a publish. */
function createPhases() {
  const times: Record<string, number> = {};
  let last = performance.now();
  return {
    mark(name: string) {
      const now = performance.now();
      times[name] = Math.round(now - last);
      last = now;
    },
    done: () => times,
  };
}

/** The id Git gives a blob of this text (SHA-1 of "blob <size>\0" and the bytes): known without
 * asking git, for the next read by id. */
function blobId(text: string): string {
  const bytes = Buffer.from(text);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
