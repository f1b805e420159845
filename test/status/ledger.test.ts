import { describe, expect, it } from "vitest";
import {
  expiredDays,
  freeJournalPath,
  journalPath,
  journalRef,
  journalText,
  uniqueRuns,
} from "../../src/status/journal.js";
import { type LedgerTip, readLedger, runsOfJob, runsOfJobs } from "../../src/status/ledger.js";
import type { RunSummary } from "../../src/status/summary.js";
import { trimTail } from "../../src/status/tail.js";
import {
  cursorText,
  foldRuns,
  type JobView,
  parseView,
  viewPath,
  viewText,
} from "../../src/status/views.js";
import { summary } from "./fixtures.js";

/** A branch's files in memory, as the ledger reader sees a commit. */
function tipOf(files: Record<string, string>): LedgerTip & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    paths: Object.keys(files),
    async read(paths) {
      asked.push(...paths);
      return new Map(paths.flatMap((p) => (p in files ? [[p, files[p] as string] as const] : [])));
    },
  };
}

const AT = new Date("2026-11-26T03:10:20Z");

/** A branch whose views were written at journal file `upTo` (index into `batches`). */
function branch(batches: RunSummary[][], upTo: number, history = 100) {
  const files: Record<string, string> = {};
  const views = new Map<string, JobView>();
  batches.forEach((batch, i) => {
    const path = journalPath(new Date(AT.getTime() + i * 10_000), "agent1");
    files[path] = journalText(batch);
    if (i > upTo) return;
    for (const run of batch) {
      const view = foldRuns(views.get(run.job), [run], journalRef(path), history);
      if (view) views.set(run.job, view);
    }
  });
  for (const [job, view] of views) files[viewPath(job)] = viewText(view);
  const through = journalRef(journalPath(new Date(AT.getTime() + upTo * 10_000), "agent1"));
  files["views.json"] = cursorText({ through, squashedAt: null });
  return files;
}

describe("journal files", () => {
  it("are named by the publish instant and agent, and sort in time order", () => {
    expect(journalPath(AT, "0123456789ab")).toBe("runs/2026-11-26/03/1020-0123456789ab.jsonl");
    const names = [0, 9_000, 61_000, 3_600_000, 86_400_000].map((ms) =>
      journalPath(new Date(AT.getTime() + ms), "a"),
    );
    expect([...names].sort()).toEqual(names);
  });

  it("never reuse a name: a second publish in the same second, or a clock gone back, takes the next", () => {
    const taken = new Set([journalPath(AT, "a")]);
    expect(freeJournalPath(AT, "a", (p) => taken.has(p))).toBe("runs/2026-11-26/03/1021-a.jsonl");
    const later = journalPath(new Date(AT.getTime() + 60_000), "a");
    expect(freeJournalPath(AT, "a", () => false, later)).toBe("runs/2026-11-26/03/1121-a.jsonl");
  });

  it("hold their batch oldest first", () => {
    const text = journalText([summary("a", 2), summary("b", 0), summary("a", 1)]);
    expect(
      text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).run),
    ).toEqual([summary("b", 0).run, summary("a", 1).run, summary("a", 2).run]);
  });

  it("leave the tip by whole days past the retention", () => {
    const now = new Date("2026-11-26T03:00:00Z");
    expect(expiredDays(["2026-11-23", "2026-11-24", "2026-11-25"], now, 2 * 86_400_000)).toEqual([
      "2026-11-23",
    ]);
  });
});

describe("a job's view", () => {
  it("keeps its newest record and newest started run without log tails, counters and the files of its last runs", () => {
    const skipped = summary("a", 3, { outcome: "skipped", startedAt: null, finishedAt: null });
    let view: JobView | undefined;
    view = foldRuns(view, [summary("a", 0), summary("a", 1)], "2026-11-26/03/0000-x", 2);
    view = foldRuns(view, [summary("a", 2, { outcome: "failed", exitCode: 1 })], "f2", 2);
    view = foldRuns(view, [skipped], "f3", 2);
    expect(view?.last.run).toBe(skipped.run);
    expect(view?.lastStarted?.run).toBe(summary("a", 2).run);
    expect(view?.last.logTail).toBe("");
    expect(view?.counts).toEqual({ succeeded: 2, failed: 1, skipped: 1 });
    expect(view?.journal).toEqual(["f2", "f3"]);
  });

  it("reads back as written, and refuses what is not a view of that job", () => {
    const view = foldRuns(undefined, [summary("a", 0)], "2026-11-26/03/0000-x", 5) as JobView;
    const text = viewText(view);
    expect(parseView(text, "a")).toEqual(view);
    expect(parseView(text, "b")).toBeNull();
    for (const bad of [
      "{",
      "[]",
      JSON.stringify({ version: 2, job: "a", last: { job: "a" }, counts: {}, journal: "" }),
      text.replace('"counts": {', '"counts": {"x": -1,'),
      text.replace(/"journal": ".*"/, '"journal": ["not", "a", "string"]'),
    ])
      expect(parseView(bad, "a")).toBeNull();
  });
});

describe("reading the ledger", () => {
  const batches = [0, 1, 2, 3, 4].map((n) => [summary("a", n), summary("b", n)]);

  it("is exact when the views lag: the journal files newer than them are folded in", async () => {
    const tip = tipOf(branch(batches, 1));
    const ledger = await readLedger(tip, { history: 100 });
    expect(ledger.views.get("a")?.last.run).toBe(summary("a", 4).run);
    expect(ledger.views.get("b")?.counts).toEqual({ succeeded: 5 });
    expect(ledger.newer).toHaveLength(3);
    expect([...ledger.behind].sort()).toEqual(["a", "b"]);
    // Only the files newer than the views (and the views' own newest) were read.
    expect(tip.asked.filter((p) => p.startsWith("runs/"))).toHaveLength(4);
  });

  it("gives a job's last runs with their log tails, oldest first, each once", async () => {
    const files = branch([...batches, [summary("a", 4)]], 2, 3);
    const tip = tipOf(files);
    const ledger = await readLedger(tip, { jobs: ["a"], history: 3 });
    const runs = await runsOfJob(tip, ledger.views.get("a"), 3);
    expect(runs.map((r) => r.run)).toEqual([2, 3, 4].map((n) => summary("a", n).run));
    expect(runs[2]?.logTail).toBe("run 4 of a\n");
    const both = await runsOfJobs(tip, ledger.views, ["a"], 2);
    expect(both.get("a")?.map((r) => r.run)).toEqual([3, 4].map((n) => summary("a", n).run));
  });

  it("lists a job's runs by the tick they belong to: a tick skipped during a long run comes after it", async () => {
    // Tick 1 runs 7.9 s (the fixture's runs end 7.9 s after their tick); tick 2, one second
    // later in these records, is skipped at once, so its record is written first.
    const long = summary("a", 1);
    const skipped = summary("a", 1, {
      run: "a-skipped-1",
      scheduledAt: new Date(Date.parse(long.scheduledAt) + 1_000).toISOString(),
      startedAt: null,
      finishedAt: new Date(Date.parse(long.scheduledAt) + 1_000).toISOString(),
      outcome: "skipped",
      exitCode: null,
    });
    const tip = tipOf(branch([[summary("a", 0)], [skipped], [long]], 2));
    const ledger = await readLedger(tip, { history: 10 });
    const runs = await runsOfJob(tip, ledger.views.get("a"), 10);
    expect(runs.map((r) => r.run)).toEqual([summary("a", 0).run, long.run, "a-skipped-1"]);
  });

  it("reads a branch no agent has written views to yet, and one in the earlier layout", async () => {
    const files = branch(batches, 4);
    delete files["views.json"];
    for (const key of Object.keys(files)) if (key.startsWith("jobs/")) delete files[key];
    expect((await readLedger(tipOf(files), { history: 10 })).views.get("a")?.counts).toEqual({
      succeeded: 5,
    });
    const legacy = tipOf({
      "jobs/a/runs.jsonl": journalText([summary("a", 0), summary("a", 1)]),
      "jobs/a/last.json": JSON.stringify(summary("a", 1)),
    });
    const ledger = await readLedger(legacy, { history: 10 });
    expect(ledger.views.get("a")?.last.run).toBe(summary("a", 1).run);
    expect((await runsOfJob(legacy, ledger.views.get("a"), 5)).map((r) => r.run)).toEqual([
      summary("a", 0).run,
      summary("a", 1).run,
    ]);
  });

  it("treats every job name as data: Object.prototype names are jobs like any other", async () => {
    const names = Object.getOwnPropertyNames(Object.prototype).filter((n) => /^[a-z_]/i.test(n));
    const tip = tipOf(branch([names.map((n) => summary(n, 0))], 0));
    const ledger = await readLedger(tip, { history: 10 });
    for (const name of names) expect(ledger.views.get(name)?.last.job).toBe(name);
  });
});

describe("records each once", () => {
  it("keeps the record that read the exit code over one that could not", () => {
    const unread = summary("a", 1, { outcome: "error", exitCode: null, reason: "removed" });
    expect(uniqueRuns([summary("a", 0), unread, summary("a", 1)])).toEqual([
      summary("a", 0),
      summary("a", 1),
    ]);
    expect(uniqueRuns([summary("a", 1), unread])).toEqual([summary("a", 1)]);
    const skipped = summary("a", 1, { outcome: "skipped", startedAt: null, finishedAt: null });
    expect(uniqueRuns([summary("a", 1), skipped])).toHaveLength(2);
  });
});

describe("a succeeded run's tail", () => {
  it("keeps the last whole lines within its bytes", () => {
    expect(trimTail("one\ntwo\nthree\n", 100)).toBe("one\ntwo\nthree\n");
    expect(trimTail("one\ntwo\nthree\n", 10)).toBe("two\nthree\n");
    expect(trimTail("one\ntwo\nthree\n", 9)).toBe("three\n");
    expect(trimTail("a long line without an end", 6)).toBe("an end");
    expect(trimTail("ééééé", 3)).toBe("é");
    expect(trimTail("abc", 0)).toBe("");
  });
});
