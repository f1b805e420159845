// Notifications on the real engine (SPEC §7), to a real HTTP receiver and a real SMTP server on
// loopback: one event per change of a job's state, signed, delivered at least once through a
// receiver that is down and an agent killed with SIGKILL, and never repeated by a restart.

import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type HttpReceiver, startHttpReceiver, startSmtpReceiver } from "./helpers/receiver.js";
import { type FaultWorld, faultHooks, jobYaml, until } from "./helpers/world.js";

const hooks = faultHooks();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function receiver(): Promise<HttpReceiver> {
  const r = await startHttpReceiver();
  closers.push(r.close);
  return r;
}

const events = (r: HttpReceiver, job: string) =>
  r.received.filter((m) => m.json.job === job).map((m) => m.json.event);

/** One failure and one recovery, each told once. Ticks that fell between two agents are told
 * as missed (SPEC §7), one message per missed record on the branch. */
async function expectToldOnce(http: HttpReceiver, w: FaultWorld, job: string): Promise<void> {
  const missed = (await w.runsOf(job)).filter((r) => r.outcome === "missed").length;
  await until("each missed record told", async () =>
    events(http, job).length >= 2 + missed ? true : undefined,
  );
  expect(events(http, job)).toEqual([
    "failure",
    "recovery",
    ...Array<string>(missed).fill("missed"),
  ]);
}

/** A job that fails its first `failures` runs and succeeds after, counting in a named volume. */
const flaky = (prefix: string, failures: number) =>
  jobYaml(
    "*/2 * * * * *",
    `n=$(cat /d/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /d/n; echo run $n; [ $n -gt ${failures} ] || { echo "broken on run $n" >&2; exit 3; }`,
    `volumes:\n  - volume: ${prefix}-count\n    path: /d\n`,
  );

describe("notifications", () => {
  it("failure then success: one failure and one recovery, signed; a restart repeats neither", async () => {
    const http = await receiver();
    const secret = "notify-secret-0123456789abcdef";
    const w = await hooks.world("notify-flaky", (p) => ({ [`${p}-flaky.yaml`]: flaky(p, 2) }));
    const job = `${w.prefix}-flaky`;
    const flags = { notify: http.url, "notify-secret": secret };
    const first = await hooks.agent(w, { flags });
    await until(
      "failure and recovery",
      async () => (events(http, job).length >= 2 ? true : undefined),
      30_000,
    );
    // A few more successes change nothing.
    const successes = async () =>
      (await w.runsOf(job)).filter((r) => r.outcome === "succeeded").length;
    const before = await successes();
    await until("two more successes", async () =>
      (await successes()) >= before + 2 ? true : undefined,
    );
    expect(events(http, job)).toEqual(["failure", "recovery"]);
    const [failure, recovery] = http.received.filter((m) => m.json.job === job);
    expect(failure?.json).toMatchObject({
      event: "failure",
      outcome: "failed",
      exitCode: 3,
      // The line ends with the job's last line of output.
      text: expect.stringMatching(
        new RegExp(`^${job} failed \\(exit 3\\) at \\d\\d:\\d\\d UTC — (broken on run 1|run 1)$`),
      ),
    });
    // Docker keeps the order within stdout and within stderr, not between the two.
    expect(String(failure?.json.logTail).split("\n").sort()).toEqual(["broken on run 1", "run 1"]);
    expect(recovery?.json.text).toMatch(new RegExp(`^${job} recovered: succeeded at `));
    for (const m of [failure, recovery]) {
      const expected = `sha256=${createHmac("sha256", secret)
        .update(m?.body ?? "")
        .digest("hex")}`;
      expect(m?.headers["x-gitcron-signature"]).toBe(expected);
    }
    // The webhook URL is a credential: no log line holds it.
    expect(first.output()).not.toContain("secret-path-0123");
    const metrics = await (await fetch(`http://127.0.0.1:${first.port}/metrics`)).text();
    expect(metrics).toMatch(/^gitcron_notifications_total\{target_kind="http",result="sent"\} 2$/m);
    expect(metrics).toMatch(
      new RegExp(`^gitcron_job_last_success_timestamp_seconds\\{job="${job}"\\} \\d{10}`, "m"),
    );

    first.signal("SIGTERM");
    expect((await first.exited).code).toBe(0);
    const second = await hooks.agent(w, { flags });
    const after = await successes();
    await until("runs after the restart", async () =>
      (await successes()) >= after + 2 ? true : undefined,
    );
    await expectToldOnce(http, w, job);
    second.signal("SIGTERM");
    await second.exited;
    await w.finish({ "failing then succeeding job": 1, restart: 1 });
  });

  it("a job that keeps failing sends one failure; a job with no success for 5s sends one late", async () => {
    const http = await receiver();
    const w = await hooks.world("notify-keeps", (p) => ({
      [`${p}-broken.yaml`]: jobYaml("*/2 * * * * *", "exit 1"),
      // Never due during the test: no run ever succeeds.
      [`${p}-quiet.yaml`]: jobYaml("0 0 1 1 *", "true", "expectSuccessWithin: 5s\n"),
    }));
    const agent = await hooks.agent(w, { flags: { notify: http.url } });
    const broken = `${w.prefix}-broken`;
    const quiet = `${w.prefix}-quiet`;
    await until(
      "four failed runs",
      async () => ((await w.runsOf(broken)).length >= 4 ? true : undefined),
      30_000,
    );
    await until("late", async () => (events(http, quiet).length > 0 ? true : undefined));
    // Three more failed runs (6 s of the job's schedule, past another 5 s window): each would
    // have been told again by now were it told twice.
    const failedBefore = (await w.runsOf(broken)).length;
    await until("three more failed runs", async () =>
      (await w.runsOf(broken)).length >= failedBefore + 3 ? true : undefined,
    );
    expect(events(http, broken)).toEqual(["failure"]);
    expect(events(http, quiet)).toEqual(["late"]);
    expect(http.received.find((m) => m.json.job === quiet)?.json.text).toMatch(
      new RegExp(
        `^${quiet} is late: never succeeded since it was added \\d+(\\.\\d)?s ago \\(expected within 5s\\)$`,
      ),
    );
    agent.signal("SIGTERM");
    await agent.exited;
    await w.finish({ "job that keeps failing": 1, "job with no success": 1 });
  });

  it("a receiver that is down, and an agent killed before delivering, lose nothing and repeat nothing", async () => {
    const http = await receiver();
    http.setDown(true);
    const w = await hooks.world("notify-down", (p) => ({ [`${p}-flaky.yaml`]: flaky(p, 1) }));
    const job = `${w.prefix}-flaky`;
    const flags = { notify: http.url };
    const first = await hooks.agent(w, { flags });
    // Both events happen while the receiver refuses them: they wait on disk.
    await first.waitForLog((l) => l.msg === "notification not delivered; retrying", 30_000);
    const recoveryQueued = () =>
      first.logs.some(
        (l) =>
          String(l.msg).startsWith("notification queued") && String(l.msg).includes("recovered"),
      );
    await until(
      "the recovery queued too",
      async () => (recoveryQueued() ? true : undefined),
      30_000,
    );
    first.signal("SIGKILL");
    await first.exited;
    expect(http.received).toEqual([]);

    http.setDown(false);
    const second = await hooks.agent(w, { flags });
    await until(
      "both delivered",
      async () => (events(http, job).length >= 2 ? true : undefined),
      30_000,
    );
    // Two runs of the second agent after the delivery: a repeat would have been sent with them.
    const recorded = (await w.runsOf(job)).length;
    await until("two more runs", async () =>
      (await w.runsOf(job)).length >= recorded + 2 ? true : undefined,
    );
    await expectToldOnce(http, w, job);
    second.signal("SIGTERM");
    await second.exited;
    await w.finish({ "receiver down": 1, "SIGKILL before delivery": 1 });
  });

  it("a rejected file is told once for its errors, and once when fixed; other commits, a restart and another host taking over repeat neither", async () => {
    const http = await receiver();
    const w = await hooks.world("notify-rejected", (p) => ({
      [`${p}-ok.yaml`]: jobYaml("0 0 1 1 *", "true"),
    }));
    const flags = { notify: http.url };
    const bad = `${w.prefix}-bad.yaml`;
    // Named by its file while no job runs from it, by its job once one does.
    const aboutBad = () => http.received.filter((m) => String(m.json.text).startsWith(`${bad} `));
    let agent = await hooks.agent(w, { flags });
    const synced = (a: typeof agent, sha: string) =>
      a.waitForLog((l) => l.msg === "sync applied" && l.revision === sha, 30_000);

    // The typo carries markup: the file's words reach a chat only escaped.
    await w.push({ [bad]: jobYaml("0 0 1 1 *", "true", '"imagee<script>": typo\n') }, "a typo");
    await until("rejected told", () => (aboutBad().length > 0 ? true : undefined));
    expect(aboutBad()[0]?.json).toMatchObject({ event: "rejected", job: bad });
    const told = String(aboutBad()[0]?.json.text);
    expect(told).toMatch(
      new RegExp(
        `^${bad} was rejected at [0-9a-f]{7}: line 4: .*imagee&lt;script&gt;.*; it runs nothing until it is fixed$`,
      ),
    );
    expect(told).not.toContain("<script>");

    // Another commit leaves the file as it was; a restart finds it as it was.
    await synced(
      agent,
      await w.push({ [`${w.prefix}-more.yaml`]: jobYaml("0 0 1 1 *", "true") }, "more"),
    );
    agent.signal("SIGTERM");
    await agent.exited;
    agent = await hooks.agent(w, { flags });
    await agent.waitForLog((l) => l.msg === "this agent leads now", 30_000);
    await synced(
      agent,
      await w.push({ [`${w.prefix}-more.yaml`]: jobYaml("0 0 2 1 *", "true") }, "again"),
    );
    expect(aboutBad().map((m) => m.json.event)).toEqual(["rejected"]);
    // The restarted agent read no file again, and still shows the file rejected.
    expect(agent.logs.filter((l) => l.msg === "sync applied").at(-1)?.rejected).toBe(1);

    // An agent on another host (a data folder of its own) takes over: what was told is on the
    // status branch, and it tells neither the rejection again nor, later, less than the fix.
    agent.signal("SIGTERM");
    await agent.exited;
    agent = await hooks.agent(w, { data: "data-elsewhere", flags });
    await agent.waitForLog((l) => l.msg === "this agent leads now", 30_000);
    await synced(
      agent,
      await w.push({ [`${w.prefix}-more.yaml`]: jobYaml("0 0 3 1 *", "true") }, "elsewhere"),
    );
    expect(aboutBad().map((m) => m.json.event)).toEqual(["rejected"]);

    await w.push({ [bad]: jobYaml("0 0 1 1 *", "true") }, "fixed");
    await until("fixed told", () => (aboutBad().length > 1 ? true : undefined));
    expect(aboutBad().map((m) => [m.json.event, m.json.job])).toEqual([
      ["rejected", bad],
      ["fixed", `${w.prefix}-bad`],
    ]);
    agent.signal("SIGTERM");
    await agent.exited;
    await w.finish({ "file rejected, then fixed, across a restart": 1 });
  });

  it("a restart that missed ticks of three jobs sends one message; within --restart-grace none, the ticks still recorded", async () => {
    const http = await receiver();
    const w = await hooks.world("notify-restart", (p) =>
      Object.fromEntries(
        ["a", "b", "c"].map((n) => [`${p}-${n}.yaml`, jobYaml("*/2 * * * * *", `echo ${n}`)]),
      ),
    );
    const jobs = ["a", "b", "c"].map((n) => `${w.prefix}-${n}`);
    const missedRecords = async () =>
      (await w.records()).filter((r) => r.outcome === "missed" && jobs.includes(r.job));
    const missedTold = () => http.received.filter((m) => m.json.event === "missed");
    /** Stopped, and started again once two more ticks of every job have passed. */
    const restart = async (agent: Awaited<ReturnType<typeof hooks.agent>>, flags: object) => {
      agent.signal("SIGTERM");
      expect((await agent.exited).code).toBe(0);
      const lastTick = Math.max(...(await w.records()).map((r) => Date.parse(r.scheduledAt)));
      await until("two ticks missed", async () =>
        Date.now() > lastTick + 4_500 ? true : undefined,
      );
      return hooks.agent(w, { flags: { notify: http.url, ...flags } });
    };

    let agent = await hooks.agent(w, { flags: { notify: http.url } });
    await until("each job ran", async () => {
      const ran = new Set((await w.records()).map((r) => r.job));
      return jobs.every((j) => ran.has(j)) ? true : undefined;
    });
    agent = await restart(agent, {});
    await until("each job's missed record", async () =>
      (await missedRecords()).length >= 3 ? true : undefined,
    );
    const message = await until("the missed message", async () => missedTold()[0]);
    // Told once for the three: a restart does not page once per job.
    expect(message.json.job).toBeNull();
    expect((message.json.jobs as { job: string }[]).map((j) => j.job).sort()).toEqual(jobs);
    expect(message.json.text).toMatch(
      /^3 jobs missed (\d+ ticks each|ticks) while no agent ran them \(.*\), since \d\d:\d\d UTC \(\d+(\.\d)?s ago\)$/,
    );

    agent = await restart(agent, { "restart-grace": "1h" });
    await agent.waitForLog((l) =>
      String(l.msg).startsWith("ticks missed within --restart-grace 1h"),
    );
    await until("each job's second missed record", async () =>
      (await missedRecords()).length >= 6 ? true : undefined,
    );
    // The grace told nobody; the first message is the only one.
    expect(missedTold()).toHaveLength(1);
    agent.signal("SIGTERM");
    await agent.exited;
    const missed = (await missedRecords()).reduce(
      (n, r) => n + Number(/^(\d+) ticks? missed/.exec(r.reason ?? "")?.[1]),
      0,
    );
    await w.finish({ "restart missing ticks": 2 }, { skipTicksMissed: missed });
  });

  it("an smtp:// target gets a mail whose subject is the line a person reads", async () => {
    const smtp = await startSmtpReceiver();
    closers.push(smtp.close);
    const w = await hooks.world("notify-mail", (p) => ({
      [`${p}-broken.yaml`]: jobYaml("*/2 * * * * *", "echo disk full >&2; exit 2"),
    }));
    const job = `${w.prefix}-broken`;
    const agent = await hooks.agent(w, {
      flags: { notify: smtp.url("gitcron@example.test", "ops@example.test,oncall@example.test") },
    });
    const mail = await until("a mail", async () => smtp.mails[0], 30_000);
    expect(mail.from).toBe("gitcron@example.test");
    expect(mail.to).toEqual(["ops@example.test", "oncall@example.test"]);
    expect(mail.subject).toMatch(
      new RegExp(`^${job} failed \\(exit 2\\) at \\d\\d:\\d\\d UTC — disk full$`),
    );
    expect(mail.raw).toContain("last lines of output:");
    agent.signal("SIGTERM");
    await agent.exited;
    await w.finish({ "mail target": 1 });
  });
});
