// Markup a job slips into what the agent writes for people (issue 25): its output in the line a
// chat webhook shows (item 6), bare URLs from its file in the status README (item 13). Each
// payload is what the reader (Slack, Mattermost, GitHub) acts on; it reaches the agent, and
// leaves it inert.

import { afterEach, describe, expect, it } from "vitest";
import {
  type HttpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
} from "../faults/helpers/receiver.js";
import { faultHooks, jobYaml, until } from "../faults/helpers/world.js";
import { readFileAt } from "../helpers/git.js";

const hooks = faultHooks();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** What Slack's mrkdwn and Mattermost's Markdown act on: `<!channel>`, `<@U1>`, `<url|text>`,
 * `[text](url)`, `@channel` / `@all` / `@here`. */
const CHAT_CONTROL = /<[!@#][^>]*>|<[a-z]+:[^>|]*\|[^>]*>|\]\(|(^|\s)@(channel|all|here)\b/;

describe("issue 25 item 6: chat markup in a job's output", () => {
  it("a failing job's <!channel>, disguised links and @all reach Slack/Mattermost inert, the mail as text", async () => {
    const parts = [
      "<!channel>",
      "<https://evil.example/login|log in again>",
      "[log in](https://evil.example)",
      "@all",
    ];
    // The payload is live: each part is markup a chat webhook acts on.
    for (const part of parts) expect(part).toMatch(CHAT_CONTROL);
    const payload = parts.join(" ");

    const http: HttpReceiver = await startHttpReceiver();
    const smtp = await startSmtpReceiver();
    closers.push(http.close, smtp.close);
    const w = await hooks.world("sec-chat-markup", (p) => ({
      [`${p}-loud.yaml`]: jobYaml("*/2 * * * * *", `echo '${payload}'; exit 1`),
    }));
    const job = `${w.prefix}-loud`;
    const agent = await hooks.agent(w, {
      env: { GITCRON_NOTIFY: `${http.url},${smtp.url("agent@example.com", "ops@example.com")}` },
    });
    const told = await until("the failure told", () =>
      http.received.find((m) => m.json.job === job),
    );
    const mail = await until("the failure mailed", () => smtp.mails[0]);
    agent.signal("SIGTERM");
    await agent.exited;

    // It reached the agent as printed: the field programs read keeps it.
    expect(told.json.logTail).toBe(payload);
    expect(told.json.text).toMatch(new RegExp(`^${job} failed \\(exit 1\\) at `));
    expect(told.json.text).not.toMatch(CHAT_CONTROL);
    expect(told.json.text).toContain("&lt;!channel&gt;");
    // The mail is plain text, so it shows the line as the job printed it; nothing in it is HTML.
    expect(mail.subject).toContain(payload);
    expect(mail.raw).toMatch(/^Content-Type: text\/plain/im);
    expect(mail.raw).not.toMatch(/text\/html/i);
    await w.finish({ "chat markup in a job's output": 1 });
  });
});

/** What GitHub turns into a link in Markdown text by itself (GFM's extended autolinks): a
 * scheme's `://`, `www.`, an e-mail address. Code spans are left out: nothing links there. */
const autolinks = (markdown: string) =>
  markdown
    .replace(/(`+)[^`]*?\1/g, "")
    .match(/\b(?:https?|ftp):\/\/\S+|\bwww\.\S+|[\w.+-]+@[\w-]+\.\w[\w.-]*/gi) ?? [];

describe("issue 25 item 13: bare URLs from job files in the status README", () => {
  it("a URL, www. name or address quoted from a rejected file is no link", async () => {
    const values = ["https://evil.example/login", "www.evil.example", "help@evil.example"];
    // The payload is live: each is a link in GitHub's Markdown as it stands.
    for (const value of values) expect(autolinks(`see ${value} now`)).toEqual([value]);

    const w = await hooks.world("sec-autolinks", () => ({ "README.md": "jobs\n" }));
    const agent = await hooks.agent(w);
    await w.push(
      Object.fromEntries(
        values.map((value, i) => [
          `${w.prefix}-lure-${i}.yaml`,
          `${jobYaml("@daily", "true")}timeout: "${value}"\n`,
        ]),
      ),
      "files quoting URLs",
    );
    const readme = await until("the three files rejected in the README", async () => {
      const state = await w.state();
      if (state?.rejected.length !== values.length) return undefined;
      return readFileAt(w.remote.dir, "gitcron-status", "README.md");
    });
    agent.signal("SIGTERM");
    await agent.exited;
    // The README quotes them (as text)...
    expect(readme?.match(/evil\.example/g)?.length).toBeGreaterThanOrEqual(values.length);
    // ...and none of them is a link.
    expect(autolinks(readme ?? "").filter((link) => link.includes("evil"))).toEqual([]);
    await w.finish({ "bare URLs in job files": 1 });
  });
});
