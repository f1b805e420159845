// Publishes run summaries and the agent's state to the orphan status branch, from a bare
// repository of its own in <dataDir>/status. Each attempt starts again from what the remote
// holds, so a push rejected because someone else pushed is re-applied on top of theirs.
//
// Publishing costs what the batch costs (SPEC §10): a publish adds one journal file
// (runs/<day>/<hour>/<MMSS>-<agent>.jsonl) and rewrites only that hour's and day's folders. The
// views — jobs/<name>.json, README.md, views.json — are derived from the journal and kept in
// memory; they are written at most every `viewsEveryMs` (and at stop), only where something
// changed. The local repository is a partial clone of the tip (trees, no old blobs): the commit
// is made by one `git fast-import`; now and then the repository is fetched anew, so the folder
// stays bounded however long the agent runs. Journal folders older than `keepMs` leave the tip,
// and once a day the branch's history is replaced by one root commit (a forced push with lease).
//
// Why one file of ~900 lines: it is one writer whose steps share what it knows of the branch
// (the tip it last pushed, the views in memory, the day's squash); its pure parts already live
// beside it (journal.ts, views.ts, ledger.ts, tail.ts, render.ts), and what is left is the
// order of git operations, which reads best in one place.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { catBatch, fetchBlobs } from "../git/batch.js";
import { type Git, type GitAccess, GitError, gitRunner } from "../git/run.js";
import type { Logger } from "../log.js";
import { createRedactor, type Redactor } from "../secrets/redactor.js";
import type { PageLinks } from "../text/page-links.js";
import { withoutUserinfo } from "../text/url-credentials.js";
import { COMMITTER, emptyTreeCommit, gitErrorText } from "./git.js";
import {
  expiredDays,
  freeJournalPath,
  isJournalPath,
  JOURNAL_ROOT,
  journalOfRef,
  journalRef,
  journalText,
  journalTime,
  parseRuns,
} from "./journal.js";
import { lastRunsOf } from "./last-runs.js";
import { groupByJob, type LedgerTip, readLedger, runsOfJob, runsOfJobs } from "./ledger.js";
import { recordKey, summaryTime } from "./outbox.js";
import { commitMessage, renderReadme } from "./render.js";
import { isStatusState, type StatusState, stateChanged, stateKey, stateText } from "./state.js";
import type { RunSummary } from "./summary.js";
import { trimTail } from "./tail.js";

import {
  cursorText,
  foldRuns,
  type JobView,
  VIEWS_FILE,
  type ViewsCursor,
  viewPath,
  viewText,
} from "./views.js";

export interface StatusBranchWriterOptions extends Omit<GitAccess, "remoteUrl"> {
  /** The writer's own bare repository, e.g. `<dataDir>/status`. */
  dir: string;
  repoUrl: string;
  branch: string;
  /** The agent id: journal files are named after it. */
  agent: string;
  /** Records named by a job's view (`gitcron logs` reads at most these). */
  history: number;
  logger: Logger;
  /** Views are written at most this often (and at a final publish). Default 60 s. */
  viewsEveryMs?: number;
  /** Journal days older than this leave the tip, and the history is squashed daily; null keeps
   * everything and never rewrites. Default 90 days. */
  keepMs?: number | null;
  /** Bytes of log tail a succeeded run keeps on the branch (others keep all 4 KiB). */
  succeededTailBytes?: number;
  /** Fetch–apply–push rounds before giving up on a branch that keeps moving. */
  maxAttempts?: number;
  /** Everything written to the branch passes through it; default: one that knows the token. */
  redactor?: Redactor;
  /** The README links each job to its page (`--public-url`). */
  links?: PageLinks;
  /** Every this many pushes the local repository is fetched anew. Default 50. */
  gcEvery?: number;
  /** Sooner when its objects grow this many bytes beyond twice what a fresh fetch left. Default
   * 16 MB. */
  gcSlackBytes?: number;
  /** The clock, for journal names, the views' cadence, retention and the README (tests). */
  now?: () => Date;
}

export interface PublishInput {
  summaries: readonly RunSummary[];
  /** Written as state.json when it changed; null keeps the branch's current one. */
  state: StatusState | null;
  /** Write the views now, whatever their cadence (the agent's last publish before it stops). */
  final?: boolean;
  /** Another ref moved in the same atomic push as the batch (the leader's lease renewal, SPEC
   * §3), only if it still is at `expected`. */
  alongside?: RefUpdate;
}

/** A parentless commit of the empty tree with `message`, pushed to `ref` if it still is at
 * `expected`. */
export interface RefUpdate {
  ref: string;
  expected: string;
  message: string;
}

export interface PublishResult {
  /** False when the branch already held everything (e.g. a replay after a crash). */
  pushed: boolean;
  commit?: string;
  /** Summaries that were new to the branch. */
  appended: number;
  /** The commit `alongside` moved to with the batch, when it did. */
  alongside?: string;
}

/** The remote is down, slow or refused us: keep the outbox and try again later. */
export class StatusPushError extends Error {
  override name = "StatusPushError";
  readonly retryable = true;
}

const REJECTED =
  /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|cannot lock ref|stale info/i;
const NO_REMOTE_BRANCH = /couldn't find remote ref/i;
/** All git printed about a failure (a push says on stdout which refs it refused). */
const said = (err: unknown) => (err instanceof GitError ? err.details.output : String(err));
const DAY_MS = 86_400_000;
export const DEFAULT_KEEP_MS = 90 * DAY_MS;
export const DEFAULT_VIEWS_EVERY_MS = 60_000;
const CLOCK_SLACK_MS = 5 * 60_000;
const RECENT_MS = 60 * 60_000;

/** What the writer knows of the branch at one commit, to publish without reading it again. */
interface Known {
  commit: string | null;
  state: StatusState | null;
  /** stateKey() of the state this writer last wrote, when it did. */
  stateKey: string | null;
  /** Every job's view, up to date with the journal at `commit`. */
  views: Map<string, JobView>;
  /** Jobs whose view on the branch lags `views`. */
  dirty: Set<string>;
  cursor: ViewsCursor;
  /** The newest journal file at `commit`. */
  lastJournal: string | null;
  /** Keys of the records this writer knows are on the branch — those of the journal files from
   * the views' cursor on when it read the branch, and those it wrote since — with when it
   * learnt each: not written again. Two agents that both followed one run record it seconds
   * apart, so an hour is kept; older records are caught by keysOnBranch. */
  recent: Map<string, number>;
  /** Day folders under runs/. */
  days: Set<string>;
  /** When the views were last written (writer's clock); null: not by this writer. */
  viewsAt: number | null;
  /** Files of a branch in the earlier layout, moved into the journal by the next commit. */
  migration: { files: Map<string, string>; remove: string[] } | null;
}

export class StatusBranchWriter {
  private git!: Git;
  private readonly options: StatusBranchWriterOptions;
  private readonly redactor: Redactor;
  private prepared = false;
  private known: Known | null = null;
  private pushesSinceGc = 0;
  /** The objects' size after the last fresh fetch (null: not measured yet). */
  private tidiedBytes: number | null = null;
  /** Blobs this writer made since the repository was fetched anew: here without a fetch. */
  private localBlobs = new Set<string>();

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

  private get keepMs(): number | null {
    return this.options.keepMs === undefined ? DEFAULT_KEEP_MS : this.options.keepMs;
  }

  async publish(input: PublishInput): Promise<PublishResult> {
    await this.prepare();
    try {
      return await this.publishRounds(input);
    } catch (err) {
      // A round marks its records as on the branch before it pushes: after a failure (a push
      // refused, git out of disk space) that is no longer known, and the next publish reads
      // the branch again rather than skip records it never pushed.
      this.known = null;
      throw err;
    }
  }

  private async publishRounds(input: PublishInput): Promise<PublishResult> {
    // We are the branch's only writer, so it is almost always where we left it: build on our
    // last commit and push; the push is refused if the branch moved, and then the round starts
    // from what the remote holds.
    // A refused push that carried another ref may have been refused for that ref alone: the
    // batch goes on without it, and whoever asked for it learns it did not move.
    let batch = input;
    if (this.known?.commit) {
      const last = this.known.commit;
      const outcome = await this.round(batch, { tip: last, ours: last, optimistic: true });
      if (outcome !== "rejected") return outcome;
      this.known = null;
      batch = { ...batch, alongside: undefined };
    }
    const attempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remoteExists = await this.fetch();
      const tip = remoteExists ? await this.revParse(this.trackingRef) : null;
      const ours = await this.revParse(this.local);
      const outcome = await this.round(batch, { tip, ours, optimistic: false });
      if (outcome !== "rejected") return outcome;
      this.known = null;
      batch = { ...batch, alongside: undefined };
      if (attempt < attempts) {
        this.options.logger.info(
          { attempt },
          "status push rejected (the branch moved); re-applying",
        );
        // Two writers in step would otherwise lose to each other every round; a random wait
        // that grows lets one through.
        await new Promise((r) => setTimeout(r, Math.random() * 100 * attempt));
      }
    }
    throw new StatusPushError(
      `cannot push the status branch: it changed under us ${attempts} times in a row`,
    );
  }

  /** One round: apply the batch on `tip` (the remote's, as far as we know) and push. `ours` is
   * our last commit, whose journal files a rewrite of the branch may have erased. An optimistic
   * round (no fetch first) is "rejected" whatever stopped its push: the fetch that follows says
   * why. */
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
    const files = new Map<string, string>();
    const removals: string[] = [];
    // Journal files of ours a rewrite erased come back as they were.
    const restored = tip && ours && ours !== tip ? await this.erasedBy(ours, tip, known) : [];
    for (const [path, text] of restored) files.set(path, text);
    phases.mark("read");

    const now = this.now();
    const fresh: RunSummary[] = [];
    const there = await this.keysOnBranch(
      known,
      base,
      input.summaries.filter((s) => !known.recent.has(recordKey(s))),
    );
    for (const s of input.summaries) {
      const key = recordKey(s);
      if (known.recent.has(key) || there.has(key)) continue;
      known.recent.set(key, now.getTime());
      fresh.push(this.forBranch(s));
    }
    if (known.migration) {
      for (const [path, text] of known.migration.files) files.set(path, text);
      removals.push(...known.migration.remove);
    }
    const taken = await this.journalTaken(base, now);
    if (fresh.length > 0) {
      const path = freeJournalPath(now, this.options.agent, taken, known.lastJournal);
      files.set(path, journalText(fresh));
      known.lastJournal = path;
      known.days.add(path.split("/")[1] as string);
      for (const [job, runs] of groupByJob(fresh)) {
        const view = foldRuns(known.views.get(job), runs, journalRef(path), this.options.history);
        if (view) known.views.set(job, view);
        known.dirty.add(job);
      }
    }
    if (restored.length > 0) {
      this.options.logger.warn(
        { files: restored.length },
        "status branch lost journal files we had pushed (rewritten by someone?); restoring them",
      );
    }
    let stateWritten = false;
    if (input.state && stateChanged(known.stateKey, known.state, input.state, now.getTime())) {
      const state = this.redactor.value(input.state);
      files.set("state.json", stateText(state));
      known.state = state;
      known.stateKey = stateKey(input.state);
      stateWritten = true;
    }
    if (files.size === 0 && removals.length === 0 && tip && !this.viewsDue(known, input, now))
      return { pushed: false, appended: 0, commit: tip };
    phases.mark("merge");
    if (this.viewsDue(known, input, now) || known.migration || stateWritten) {
      this.writeViews(known, files, removals, now);
      phases.mark("views");
    }
    const message = this.redactor.redact(commitMessage(fresh));
    // Our last commit the remote took: a commit it refused is not ours to restore from.
    const pushedBefore = await this.revParse(this.local);
    const commit = await this.commit(
      tip ? { parent: tip } : { tree: base },
      files,
      removals,
      message,
    );
    phases.mark("commit");
    let alongsideCommit: string | undefined;
    const unpush = () =>
      this.git(
        pushedBefore ? ["update-ref", this.local, pushedBefore] : ["update-ref", "-d", this.local],
      );
    try {
      const { alongside } = input;
      alongsideCommit = alongside
        ? await emptyTreeCommit(this.git, alongside.message, this.now())
        : undefined;
      const pushed = await this.git(
        alongside
          ? [
              "push",
              "--porcelain",
              "--atomic",
              `--force-with-lease=${alongside.ref}:${alongside.expected}`,
              "origin",
              `${commit}:${this.local}`,
              `${alongsideCommit}:${alongside.ref}`,
            ]
          : ["push", "--porcelain", "origin", `${commit}:${this.local}`],
      );
      // "*" marks a ref the push created: the branch we built on was deleted meanwhile, and
      // our commit (which holds every record) has just rebuilt it.
      if (at.optimistic && /^\*\t/m.test(pushed)) this.rebuilding();
    } catch (err) {
      await unpush();
      // Refused because the branch moved: the caller starts again from what the remote holds.
      if (at.optimistic || input.alongside || REJECTED.test(said(err))) return "rejected";
      throw new StatusPushError(
        `cannot push the status branch: ${gitErrorText(err, this.options)}`,
      );
    }
    phases.mark("push");
    await this.git(["update-ref", this.trackingRef, commit]);
    for (const text of files.values()) this.localBlobs.add(blobId(text));
    known.migration = null;
    this.known = { ...known, commit };
    await this.squashIfDue(now);
    await this.maintain();
    this.options.logger.debug(
      { runs: fresh.length, files: files.size, ms: phases.done() },
      "status branch published",
    );
    return {
      pushed: true,
      appended: fresh.length,
      commit: this.known.commit ?? commit,
      ...(alongsideCommit && { alongside: alongsideCommit }),
    };
  }

  /** A summary as the branch keeps it: redacted, and a succeeded run's tail cut to its bytes. */
  private forBranch(summary: RunSummary): RunSummary {
    const keep = this.options.succeededTailBytes;
    const cut =
      summary.outcome === "succeeded" && keep !== undefined
        ? { ...summary, logTail: trimTail(summary.logTail, keep) }
        : summary;
    return this.redactor.value(cut);
  }

  /** Milliseconds until the views that lag the journal are due; null when none lag. */
  viewsDueInMs(): number | null {
    const known = this.known;
    if (!known || known.dirty.size === 0) return null;
    if (known.viewsAt === null) return 0;
    const every = this.options.viewsEveryMs ?? DEFAULT_VIEWS_EVERY_MS;
    return Math.max(0, known.viewsAt + every - this.now().getTime());
  }

  private viewsDue(known: Known, input: PublishInput, now: Date): boolean {
    if (known.dirty.size === 0 && !known.migration) return false;
    if (input.final || known.viewsAt === null) return true;
    const every = this.options.viewsEveryMs ?? DEFAULT_VIEWS_EVERY_MS;
    return now.getTime() - known.viewsAt >= every;
  }

  /** The views of the jobs that changed, README.md and views.json, into `files`; journal days
   * past retention into `removals`. */
  private writeViews(known: Known, files: Map<string, string>, removals: string[], now: Date) {
    for (const job of known.dirty) {
      const view = known.views.get(job);
      if (view) files.set(viewPath(job), viewText(view));
    }
    known.dirty.clear();
    const keepMs = this.keepMs;
    if (keepMs !== null) {
      for (const day of expiredDays(known.days, now, keepMs)) {
        removals.push(`${JOURNAL_ROOT}/${day}`);
        known.days.delete(day);
      }
    }
    files.set(
      "README.md",
      this.redactor.redact(
        renderReadme({
          state: known.state,
          runs: lastRunsOf(known.views),
          branch: this.options.branch,
          now,
          ...(this.options.links && { links: this.options.links }),
        }),
      ),
    );
    known.cursor = {
      through: known.lastJournal ? journalRef(known.lastJournal) : null,
      // A branch that never was squashed counts from its first views.
      squashedAt: known.cursor.squashedAt ?? (keepMs === null ? null : now.toISOString()),
    };
    files.set(VIEWS_FILE, cursorText(known.cursor));
    for (const [key, at] of known.recent)
      if (now.getTime() - at > RECENT_MS) known.recent.delete(key);
    known.viewsAt = now.getTime();
  }

  /** Once a day (with a retention), the branch's history becomes one root commit holding its
   * tip, pushed with lease: never over a tip someone else pushed meanwhile. */
  private async squashIfDue(now: Date): Promise<void> {
    const known = this.known;
    const keepMs = this.keepMs;
    if (!known?.commit || keepMs === null) return;
    const since = Date.parse(known.cursor.squashedAt ?? "");
    if (Number.isNaN(since) || now.getTime() - since < DAY_MS) return;
    const tip = known.commit;
    const cursor = { ...known.cursor, squashedAt: now.toISOString() };
    const root = await this.commit(
      { tree: tip },
      new Map([[VIEWS_FILE, cursorText(cursor)]]),
      [],
      "status: history squashed to its tip (--status-keep)",
    );
    try {
      await this.git([
        "push",
        "--porcelain",
        `--force-with-lease=${this.local}:${tip}`,
        "origin",
        `${root}:${this.local}`,
      ]);
    } catch (err) {
      // The branch moved: the next publish builds on it and the squash waits for its turn.
      await this.git(["update-ref", this.local, tip]);
      this.options.logger.info(
        { err: gitErrorText(err, this.options) },
        "status branch not squashed this time (it moved)",
      );
      return;
    }
    await this.git(["update-ref", this.trackingRef, root]);
    this.known = { ...known, commit: root, cursor };
    this.options.logger.info({ commit: root }, "status branch history squashed to its tip");
  }

  /** The branch's files at `commit` for the ledger reader: blobs fetched in one request. */
  private tipAt(commit: string, paths: readonly string[], oids: Map<string, string>): LedgerTip {
    return {
      paths,
      read: async (wanted) => {
        const named = wanted.flatMap((p) => {
          const oid = oids.get(p);
          return oid ? [[p, oid] as const] : [];
        });
        const missing = named.map(([, oid]) => oid).filter((oid) => !this.localBlobs.has(oid));
        await fetchBlobs(this.git, "origin", [...new Set(missing)]).catch((err: unknown) =>
          this.options.logger.debug(
            { err: gitErrorText(err, this.options), commit },
            "could not fetch blobs of the status branch at once; reading them one by one",
          ),
        );
        const blobs = await this.read(
          null,
          named.map(([, oid]) => oid),
        );
        return new Map(
          named.flatMap(([p, oid]) => {
            const text = blobs.get(oid);
            return text === undefined ? [] : [[p, text] as const];
          }),
        );
      },
    };
  }

  /** Every file path at `commit`, with its blob id. */
  private async listing(commit: string): Promise<Map<string, string>> {
    const oids = new Map<string, string>();
    for (const line of (await this.git(["ls-tree", "-r", "-z", commit])).split("\0")) {
      const match = /^\d{6} blob ([0-9a-f]+)\t(.*)$/s.exec(line);
      if (match) oids.set(match[2] as string, match[1] as string);
    }
    return oids;
  }

  /** A job's records with their log tails, at our last publish (oldest first). */
  async runsOf(job: string): Promise<RunSummary[]> {
    return (await this.runsOfJobs([job])).get(job) ?? [];
  }

  /** Several jobs' records at once: each journal file read once (the status page's 5,000). */
  async runsOfJobs(jobs: readonly string[]): Promise<Map<string, RunSummary[]>> {
    const commit = this.prepared ? await this.revParse(this.local) : null;
    if (!commit || jobs.length === 0) return new Map();
    const known = await this.knownAt(commit);
    const oids = await this.listing(commit);
    const tip = this.tipAt(commit, [...oids.keys()], oids);
    if (jobs.length === 1) {
      const job = jobs[0] as string;
      const runs = await runsOfJob(tip, known.views.get(job), this.options.history);
      return new Map(runs.length > 0 ? [[job, runs]] : []);
    }
    return runsOfJobs(tip, known.views, jobs, this.options.history, this.options.logger);
  }

  /** What the branch holds at `commit`, from memory when it is the commit we published last;
   * else read from it (at start, or after someone else pushed). */
  private async knownAt(commit: string | null): Promise<Known> {
    if (this.known && this.known.commit === commit) return this.known;
    const none: Known = {
      commit,
      state: null,
      stateKey: null,
      views: new Map(),
      dirty: new Set(),
      cursor: { through: null, squashedAt: null },
      lastJournal: null,
      recent: new Map(),
      days: new Set(),
      viewsAt: null,
      migration: null,
    };
    // A branch built from nothing (deleted on the remote): what we knew goes on.
    if (!commit) return this.known ? { ...this.known, commit: null } : none;
    const oids = await this.listing(commit);
    const paths = [...oids.keys()];
    const tip = this.tipAt(commit, paths, oids);
    const { history, logger } = this.options;
    const ledger = await readLedger(tip, { history, logger });
    const journal = paths.filter(isJournalPath).sort();
    const days = new Set(journal.map((p) => p.split("/")[1] as string));
    const text = (await tip.read(["state.json"])).get("state.json");
    let state: StatusState | null = null;
    try {
      const value: unknown = text === undefined ? null : JSON.parse(text);
      state = isStatusState(value) ? value : null;
    } catch {
      state = null;
    }
    const known: Known = {
      ...none,
      state,
      stateKey: state ? stateKey(state) : null,
      views: ledger.views,
      cursor: ledger.cursor,
      lastJournal: journal.at(-1) ?? null,
      recent: new Map([...ledger.recentKeys].map((key) => [key, this.now().getTime()])),
      days,
      // Views that lag the journal are brought up to it by the next views.
      dirty: ledger.behind,
    };
    if (ledger.legacy.size > 0) await this.migrate(known, tip, ledger.legacy);
    return known;
  }

  /** A branch in the earlier layout (jobs/<name>/runs.jsonl, last.json): every record moves
   * into journal files of the hours they happened in, and the views are built from them. */
  private async migrate(known: Known, tip: LedgerTip, legacy: Map<string, string>) {
    const texts = await tip.read([...legacy.values()]);
    const byHour = new Map<string, RunSummary[]>();
    for (const [path, text] of texts) {
      for (const run of parseRuns(text, path, this.options.logger)) {
        const at = new Date(Math.min(Date.parse(run.finishedAt ?? run.scheduledAt), Date.now()));
        const hour = at.toISOString().slice(0, 13);
        const list = byHour.get(hour);
        if (list) list.push(run);
        else byHour.set(hour, [run]);
      }
    }
    const files = new Map<string, string>();
    const views = new Map<string, JobView>();
    for (const hour of [...byHour.keys()].sort()) {
      const runs = byHour.get(hour) as RunSummary[];
      const newest = Math.max(...runs.map((r) => Date.parse(r.finishedAt ?? r.scheduledAt)));
      const path = freeJournalPath(
        new Date(Math.min(newest, Date.now())),
        this.options.agent,
        (p) => files.has(p),
      );
      files.set(path, journalText(runs));
      for (const [job, ofJob] of groupByJob(runs)) {
        const view = foldRuns(views.get(job), ofJob, journalRef(path), this.options.history);
        if (view) views.set(job, view);
      }
      known.days.add(path.split("/")[1] as string);
    }
    const remove = [...legacy.values()].map((p) => p.slice(0, -"/runs.jsonl".length));
    known.views = views;
    known.dirty = new Set(views.keys());
    const newest = [...files.keys()].sort().at(-1) ?? null;
    if (newest && (!known.lastJournal || newest > known.lastJournal)) known.lastJournal = newest;
    known.migration = { files, remove };
    this.options.logger.info(
      { jobs: legacy.size, files: files.size },
      "status branch in the earlier layout: moving its records into the journal",
    );
  }

  /** Journal files of ours at `ours` that `tip` lacks: a force-push or a rewrite by someone
   * erased them, and they come back as they were. */
  private async erasedBy(ours: string, tip: string, known: Known): Promise<[string, string][]> {
    const changed = (
      await this.git([
        "diff",
        "--name-only",
        "--diff-filter=D",
        "-z",
        ours,
        tip,
        "--",
        JOURNAL_ROOT,
      ])
    )
      .split("\0")
      .filter(isJournalPath);
    // Days past retention are not erased: they left the tip on purpose.
    const dayOf = (p: string) => p.split("/")[1] as string;
    const keepMs = this.keepMs;
    const retired = new Set(
      keepMs === null ? [] : expiredDays(new Set(changed.map(dayOf)), this.now(), keepMs),
    );
    const wanted = changed.filter((p) => !retired.has(dayOf(p)));
    if (wanted.length === 0) return [];
    const oids = await this.listing(ours);
    const tipOurs = this.tipAt(ours, [...oids.keys()], oids);
    const texts = await tipOurs.read(wanted);
    for (const [path, text] of texts) {
      known.days.add(dayOf(path));
      for (const run of parseRuns(text, path))
        known.recent.set(recordKey(run), this.now().getTime());
      for (const [job, runs] of groupByJob(parseRuns(text, path))) {
        const view = foldRuns(known.views.get(job), runs, journalRef(path), this.options.history);
        if (view) known.views.set(job, view);
        known.dirty.add(job);
      }
    }
    return [...texts];
  }

  /** Keys of the records already on the branch that `candidates` older than the views could
   * repeat: a run recorded and pushed by an agent killed before it removed the container is
   * adopted and recorded again by the next one, after the views moved on. Only then are files
   * read — the job's own, from a little before the record ended. */
  private async keysOnBranch(
    known: Known,
    base: string | null,
    candidates: readonly RunSummary[],
  ): Promise<Set<string>> {
    const through = known.cursor.through ? journalTime(journalOfRef(known.cursor.through)) : null;
    const old = candidates.filter((s) => through !== null && Date.parse(summaryTime(s)) <= through);
    if (!base || old.length === 0) return new Set();
    const paths = new Set<string>();
    for (const s of old) {
      // Another agent's clock may run a little behind ours.
      const since = Date.parse(summaryTime(s)) - CLOCK_SLACK_MS;
      for (const ref of known.views.get(s.job)?.journal ?? []) {
        const path = journalOfRef(ref);
        if ((journalTime(path) ?? 0) >= since) paths.add(path);
      }
    }
    if (paths.size === 0) return new Set();
    const oids = await this.listing(base);
    const texts = await this.tipAt(base, [...oids.keys()], oids).read([...paths]);
    return new Set([...texts].flatMap(([path, text]) => parseRuns(text, path).map(recordKey)));
  }

  /** Whether a journal path is taken in `commit`'s folder of the hour of `at`. */
  private async journalTaken(commit: string | null, at: Date): Promise<(p: string) => boolean> {
    if (!commit) return () => false;
    const hour = `${JOURNAL_ROOT}/${at.toISOString().slice(0, 10)}/${at.toISOString().slice(11, 13)}/`;
    const listed = await this.git(["ls-tree", "--name-only", "-z", commit, hour]);
    const names = new Set(listed.split("\0").filter((n) => n !== ""));
    return (p) => names.has(p);
  }

  /** Objects by name, in one `cat-file --batch`: `commit:path` for each path when a commit is
   * given, else each name as it is (a blob id). Names that are not there are left out. */
  private async read(
    commit: string | null,
    names: readonly string[],
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (names.length === 0) return found;
    const entries = await catBatch(
      this.git,
      names.map((n) => (commit ? `${commit}:${n}` : n)),
    );
    // Answers come in the order asked, one a name.
    entries.forEach((entry, i) => {
      const name = names[i];
      if (name !== undefined && entry.type === "blob" && entry.content)
        found.set(name, entry.content.toString("utf8"));
    });
    return found;
  }

  /** One commit on `parent` (or an orphan holding the tree of `tree`) with these files
   * changed and these folders removed, made by git fast-import: the cost is the files, not the
   * branch. */
  private async commit(
    on: { parent: string } | { tree: string | null },
    files: ReadonlyMap<string, string>,
    removals: readonly string[],
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
    for (const path of removals) chunks.push(Buffer.from(`D ${path}\n`));
    for (const [path, text] of files) {
      chunks.push(Buffer.from(`M 100644 inline ${path}\n`), ...data(text));
    }
    await this.git(["fast-import", "--quiet", "--force"], { input: Buffer.concat(chunks) });
    return (await this.revParse(this.local)) as string;
  }

  /** The bytes of the repository's objects, loose and packed (`git count-objects`). */
  private async objectBytes(): Promise<number> {
    const counted = await this.git(["count-objects", "-v"]);
    const kib = (key: string) => Number(new RegExp(`^${key}: (\\d+)`, "m").exec(counted)?.[1] ?? 0);
    return (kib("size") + kib("size-pack")) * 1024;
  }

  private async treeOf(commit: string): Promise<string> {
    return (await this.git(["rev-parse", `${commit}^{tree}`])).trim();
  }

  /** Now and then, the local repository is made again from a fetch of the tip without blobs:
   * the journal files this writer made would otherwise pile up without end. */
  private async maintain(): Promise<void> {
    this.pushesSinceGc++;
    const packed = await this.objectBytes();
    this.tidiedBytes ??= packed;
    const slack = this.options.gcSlackBytes ?? 16e6;
    if (this.pushesSinceGc < (this.options.gcEvery ?? 50) && packed < 2 * this.tidiedBytes + slack)
      return;
    this.pushesSinceGc = 0;
    const started = performance.now();
    const commit = this.known?.commit ?? null;
    await rm(this.options.dir, { recursive: true, force: true });
    this.prepared = false;
    this.localBlobs = new Set();
    await this.prepare();
    try {
      await this.fetch();
      const tip = await this.revParse(this.trackingRef);
      if (tip) await this.git(["update-ref", this.local, tip]);
      // Someone pushed meanwhile: the next publish reads the branch again.
      if (tip !== commit) this.known = null;
    } catch (err) {
      this.known = null;
      this.options.logger.warn(
        { err: gitErrorText(err, this.options) },
        "could not fetch the status branch anew; the next publish tries again",
      );
    }
    this.tidiedBytes = await this.objectBytes();
    this.options.logger.debug(
      { ms: Math.round(performance.now() - started), before: packed, after: this.tidiedBytes },
      "status repository fetched anew",
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
    this.git = gitRunner({ ...this.options, remoteUrl: repoUrl }, { cwd: dir });
    if (!existsSync(join(dir, "HEAD"))) await this.git(["init", "--bare", "--quiet"]);
    for (const [key, value] of [
      ["core.logAllRefUpdates", "false"],
      ["gc.auto", "0"],
      ["core.compression", "1"],
      ["pack.compression", "1"],
      ["commit.gpgsign", "false"],
    ] as const) {
      await this.git(["config", "--local", key, value]);
    }
    // Credentials stay off the disk: the environment rewrites this URL into the whole one.
    const origin = withoutUserinfo(repoUrl);
    const remotes = (await this.git(["remote"])).split("\n");
    await this.git(["remote", remotes.includes("origin") ? "set-url" : "add", "origin", origin]);
    this.prepared = true;
  }

  /** True when the branch exists on the remote (now in the tracking ref). Only the tip, and
   * its trees: old journal files are fetched only when something reads them. */
  private async fetch(): Promise<boolean> {
    const knewIt = (await this.revParse(this.trackingRef)) !== null;
    const { branch } = this.options;
    try {
      await this.git([
        "fetch",
        "--no-tags",
        "--depth=1",
        "--filter=blob:none",
        "origin",
        `+refs/heads/${branch}:${this.trackingRef}`,
      ]);
      return true;
    } catch (err) {
      if (NO_REMOTE_BRANCH.test(said(err))) {
        if (knewIt) {
          this.rebuilding();
          await this.git(["update-ref", "-d", this.trackingRef]);
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
      return (await this.git(["rev-parse", "--verify", "-q", `${ref}^{commit}`])).trim() || null;
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
 * asking git. */
function blobId(text: string): string {
  const bytes = Buffer.from(text);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
