// What the agent keeps of the runs going on for those who follow them: bounded per run, ended
// runs for a while only, a run's retries followed as one.

import { describe, expect, it } from "vitest";
import { Events } from "../../src/events.js";
import type { SchedulerEvents } from "../../src/scheduler/events.js";
import { createRunLogHub, type LogEvent, runChain } from "../../src/server/run-log-hub.js";
import { summary } from "../page/fixtures.js";

function hubWith(limits: { maxRunBytes?: number; keepEnded?: number; keepEndedMs?: number }) {
  const events = new Events<SchedulerEvents>();
  let now = 0;
  const hub = createRunLogHub({
    events,
    willRetry: (s) => s.outcome === "failed" && s.attempt < 2,
    now: () => now,
    limits,
  });
  const launch = (job: string, runId: string) =>
    events.emit("run:launch", {
      job,
      runId,
      scheduledAt: new Date(0),
      trigger: "manual",
      lagMs: 0,
    });
  const line = (job: string, runId: string, text: string) =>
    events.emit("run:line", { job, runId, line: { stream: "stdout", text } });
  const end = (job: string, run: string, outcome: "failed" | "succeeded", attempt = 1) =>
    events.emit("run:recorded", { summary: summary(job, outcome, { run, attempt }) });
  return {
    hub,
    launch,
    line,
    end,
    tick: (ms: number) => {
      now += ms;
    },
  };
}

const texts = (events: LogEvent[]) =>
  events.map((e) => (e.type === "line" ? e.text : e.type === "dropped" ? `…${e.lines}` : e.type));

describe("the run log hub", () => {
  it("keeps a run's last lines within its bound and says how many it let go", () => {
    const h = hubWith({ maxRunBytes: 10 });
    h.launch("a", "a-1");
    for (const t of ["1111", "2222", "3333", "4444"]) h.line("a", "a-1", t);
    const { replay } = h.hub.follow(
      "a",
      () => true,
      () => {},
    );
    expect(texts(replay)).toEqual(["start", "…2", "3333", "4444"]);
  });

  it("hands later events to followers of the job, and replays only runs going on", () => {
    const h = hubWith({});
    h.launch("a", "a-1");
    h.line("a", "a-1", "old");
    h.end("a", "a-1", "succeeded");
    h.launch("a", "a-2");
    h.line("a", "a-2", "now");
    const got: LogEvent[] = [];
    const { replay, off } = h.hub.follow(
      "a",
      () => true,
      (e) => got.push(e),
    );
    expect(texts(replay)).toEqual(["start", "now"]);
    h.line("a", "a-2", "more");
    h.line("b", "b-1", "other job");
    off();
    h.line("a", "a-2", "after off");
    expect(texts(got)).toEqual(["more"]);
  });

  it("follows a run and its retries as one chain, the last end final", () => {
    const h = hubWith({});
    const run = "a-20261202T120000Z-1";
    const retry = "a-20261202T120000Z-2";
    expect(runChain(run)).toBe(runChain(retry));
    h.launch("a", run);
    h.end("a", run, "failed", 1);
    h.launch("a", retry);
    h.end("a", retry, "failed", 2);
    const { replay } = h.hub.follow(
      "a",
      (id) => runChain(id) === runChain(run),
      () => {},
      {
        ended: true,
      },
    );
    expect(replay.filter((e) => e.type === "end").map((e) => e.type === "end" && e.final)).toEqual([
      false,
      true,
    ]);
  });

  it("forgets an ended run after a while, and keeps at most so many", () => {
    const h = hubWith({ keepEnded: 2, keepEndedMs: 60_000 });
    const id = (day: number) => `a-2026120${day}T000000Z-1`;
    for (const day of [1, 2, 3]) {
      h.launch("a", id(day));
      h.end("a", id(day), "succeeded");
    }
    h.launch("a", id(4));
    expect([1, 2, 3].map((d) => h.hub.knows("a", id(d)))).toEqual([false, true, true]);
    h.tick(60_001);
    h.launch("a", id(5));
    expect([2, 3, 4].map((d) => h.hub.knows("a", id(d)))).toEqual([false, false, true]);
  });
});
