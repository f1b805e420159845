// What a notification says, and where it may go.

import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  caughtUpBody,
  mailOf,
  notificationBody,
  statusUrlOf,
  withPauses,
} from "../../src/notify/message.js";
import { parseTargets, signatureOf } from "../../src/notify/targets.js";
import { summary } from "../status/fixtures.js";

const now = new Date("2026-11-26T12:00:00Z");

describe("the line a person reads", () => {
  it("a failure names the exit code, the time and the last line of output", () => {
    const run = summary("nightly", 0, {
      outcome: "failed",
      exitCode: 3,
      logTail: Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n"),
    });
    const body = notificationBody({ event: "failure", job: "nightly", run, statusUrl: null, now });
    expect(body.text).toMatch(/^nightly failed \(exit 3\) at 03:00 UTC — line 29$/);
    expect(body.logTail.split("\n")).toHaveLength(20);
    expect(mailOf(body).subject).toBe(body.text);
    expect(mailOf(body).text).toContain("last lines of output:\nline 10");
  });

  it("no line of a job's output can start a line of its own in the text", () => {
    const run = summary("j", 0, { outcome: "error", reason: "pull failed\u001b[2J\nforged" });
    const body = notificationBody({ event: "failure", job: "j", run, statusUrl: null, now });
    expect(body.text).not.toMatch(/\p{Cc}/u);
  });
});

describe("the line is inert in Slack's and Mattermost's markup", () => {
  const failing = (lastLine: string) =>
    notificationBody({
      event: "failure",
      job: "j",
      run: summary("j", 0, { outcome: "failed", exitCode: 1, logTail: lastLine }),
      statusUrl: null,
      now,
    });

  it.each([
    // Slack: a channel-wide mention, a link whose text hides where it goes, a user mention.
    ["<!channel> deploy now", "&lt;!channel&gt; deploy now"],
    [
      "<https://evil.example/login|log in again>",
      "&lt;https://evil.example/login|log in again&gt;",
    ],
    ["<@U0123> & <#C42>", "&lt;@\u200BU0123&gt; &amp; &lt;#C42&gt;"],
    // Slack's own escapes arrive as written, not as the character they stand for.
    ["&lt;!here&gt;", "&amp;lt;!here&amp;gt;"],
    // Mattermost renders Markdown and mentions from plain text besides.
    ["[log in again](https://evil.example)", "[log in again]\u200B(https://evil.example)"],
    ["![x](https://evil.example/t.png)", "![x]\u200B(https://evil.example/t.png)"],
    ["@channel @all @here @alice", "@\u200Bchannel @\u200Ball @\u200Bhere @\u200Balice"],
    // Direction overrides would make the line read otherwise than it is.
    ["ok \u202eevil", "ok \ufffdevil"],
  ])("%s", (payload, inert) => {
    const body = failing(payload);
    expect(body.text).toBe(`j failed (exit 1) at 03:00 UTC — ${inert}`);
    // The fields programs read stay as the run printed them.
    expect(body.logTail).toBe(payload);
  });

  it("a mail is plain text: its subject and first line read as the run printed them", () => {
    const body = failing("<!channel> [x](https://e.example) @all & more");
    const mail = mailOf(body);
    expect(mail.subject).toBe(
      "j failed (exit 1) at 03:00 UTC — <!channel> [x](https://e.example) @all & more",
    );
    expect(mail.text.split("\n")[0]).toBe(mail.subject);
    expect(Object.keys(mail)).toEqual(["subject", "text"]);
  });
});

describe("targets", () => {
  it("http(s) and smtp(s) with a sender and recipients; shown by scheme and host only", () => {
    const [hook, mail] = parseTargets([
      "https://hooks.slack.com/services/T0/B0/secretpart",
      "smtp://user:pw@mail.example.com:587?from=a@example.com&to=b@example.com,c@example.com",
    ]);
    expect(hook).toMatchObject({ kind: "http", shown: "https://hooks.slack.com" });
    expect(mail).toMatchObject({
      kind: "smtp",
      shown: "smtp://mail.example.com:587",
      from: "a@example.com",
      to: ["b@example.com", "c@example.com"],
    });
  });

  it.each([
    ["ftp://example.com/x", /only http:\/\/, https:\/\/, smtp:\/\/ and smtps:\/\//],
    ["smtp://mail.example.com", /needs \?from=ADDRESS&to=ADDRESS/],
    ["not a url", /is not a URL/],
  ])("%s is refused with one sentence", (url, why) => {
    expect(() => parseTargets([url])).toThrow(UsageError);
    expect(() => parseTargets([url])).toThrow(why);
  });

  it("the signature is GitHub's: sha256= and the hex HMAC-SHA256 of the body", () => {
    // RFC 4231 test case 2.
    expect(signatureOf("what do ya want for nothing?", "Jefe")).toBe(
      "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });
});

describe("statusUrl", () => {
  it.each([
    [
      "https://github.com/acme/jobs.git",
      "https://github.com/acme/jobs/blob/gitcron-status/README.md",
    ],
    ["git@github.com:acme/jobs.git", "https://github.com/acme/jobs/blob/gitcron-status/README.md"],
    [
      "https://token@gitlab.com/g/sub/jobs",
      "https://gitlab.com/g/sub/jobs/-/blob/gitcron-status/README.md",
    ],
    ["file:///srv/jobs.git", null],
  ])("%s → %s", (repo, url) => {
    expect(statusUrlOf(repo, "gitcron-status")).toBe(url);
  });
});

describe("the ticks a restart missed, told once", () => {
  const at = (hm: string) => new Date(`2026-11-26T${hm}:00Z`);
  const missed = (job: string, count: number, first: string, last: string) => ({
    job,
    count,
    first: at(first),
    last: at(last),
  });

  it("three jobs that missed a tick each are one line, naming them and when", () => {
    const body = caughtUpBody({
      missed: [
        missed("a", 1, "11:59", "11:59"),
        missed("b", 1, "11:59", "11:59"),
        missed("c", 1, "11:58", "11:58"),
      ],
      statusUrl: null,
      now,
    });
    expect(body).toMatchObject({ event: "missed", job: null, outcome: null });
    expect(body.text).toBe(
      "3 jobs missed 1 tick each while no agent ran them (a, b, c), since 11:58 UTC (2m00s ago)",
    );
    expect(body.jobs).toEqual([
      { job: "a", ticks: 1, first: "2026-11-26T11:59:00.000Z", last: "2026-11-26T11:59:00.000Z" },
      { job: "b", ticks: 1, first: "2026-11-26T11:59:00.000Z", last: "2026-11-26T11:59:00.000Z" },
      { job: "c", ticks: 1, first: "2026-11-26T11:58:00.000Z", last: "2026-11-26T11:58:00.000Z" },
    ]);
    expect(mailOf(body).text).toContain("ticks missed: a 1 (2026-11-26T11:59:00.000Z …");
  });

  it("counts that differ are given per job; one job is named as the job of the message", () => {
    const several = caughtUpBody({
      missed: [missed("a", 10, "11:50", "11:59"), missed("b", 2, "11:55", "11:59")],
      statusUrl: null,
      now,
    });
    expect(several.text).toBe(
      "2 jobs missed ticks while no agent ran them (a 10, b 2), since 11:50 UTC (10m00s ago)",
    );
    const one = caughtUpBody({ missed: [missed("a", 2, "11:58", "11:59")], statusUrl: null, now });
    expect(one.job).toBe("a");
    expect(one.text).toBe("a missed 2 ticks while no agent ran it, since 11:58 UTC (2m00s ago)");
  });
});

describe("pauses, noted in every notification while they last", () => {
  const now = new Date("2026-12-02T12:00:00Z");
  const body = notificationBody({ event: "failure", job: "a", statusUrl: null, now });

  it("adds the paused jobs to the line and the mail, and nothing when none is paused", () => {
    expect(withPauses(body, new Map(), now)).toBe(body);
    const noted = withPauses(
      body,
      new Map([
        ["zeta", new Date("2026-12-02T14:00:00Z")],
        ["alpha", new Date("2026-12-03T09:30:00Z")],
      ]),
      now,
    );
    expect(noted.text).toBe(
      `${body.text} (paused: alpha until 2026-12-03 09:30 UTC, zeta until 14:00 UTC)`,
    );
    expect(noted.paused).toEqual([
      { job: "alpha", until: "2026-12-03T09:30:00.000Z" },
      { job: "zeta", until: "2026-12-02T14:00:00.000Z" },
    ]);
    expect(mailOf(noted).text).toContain(
      "paused: alpha until 2026-12-03T09:30:00.000Z, zeta until 2026-12-02T14:00:00.000Z",
    );
  });
});
