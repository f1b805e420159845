// --public-url as a user meets it: a real agent, a bare repository, the real Docker engine and a
// real HTTP receiver. The failure notification links to the job's page and to the run's row on
// it (which the agent's page has), the mail's facts name both, and the status README links each
// job to its page.

import { afterEach, describe, expect, it } from "vitest";
import { mailOf } from "../../src/notify/message.js";
import { checkPublicUrl } from "../../src/text/page-links.js";
import { startHttpReceiver } from "../faults/helpers/receiver.js";
import { gitcron } from "../helpers/cli.js";
import { eventually, uniqueName } from "../helpers/docker.js";
import { git } from "../helpers/git.js";
import { manualJob, servedAgents } from "../helpers/served-agent.js";
import { BROWSER_ACCEPT, request } from "../page/http-request.js";

const PUBLIC = "https://cron.example.com/gitcron";
const agents = servedAgents("gitcron-public-");
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("--public-url", () => {
  it("links notifications, mails and the status README to the job's page and the run", async () => {
    const job = uniqueName("public");
    agents.cleanupAfter(job);
    const http = await startHttpReceiver();
    closers.push(http.close);
    const { url, remote } = await agents.start(
      { [`${job}.yaml`]: manualJob("echo '<b>not a link</b> https://evil.example'; exit 2") },
      { notify: [http.url], "public-url": `${PUBLIC}/` },
    );
    expect((await gitcron(["trigger", job], { env: { GITCRON_URL: url } })).code).toBe(0);
    const told = await eventually(async () =>
      http.received.find((m) => m.json.job === job && m.json.event === "failure"),
    );
    const run = String(told.json.run);
    const runUrl = `${PUBLIC}/jobs/${job}#${run}`;
    expect(told.json).toMatchObject({ jobUrl: `${PUBLIC}/jobs/${job}`, runUrl });
    expect(String(told.json.text).endsWith(` ${runUrl}`)).toBe(true);
    const mail = mailOf(told.json as unknown as Parameters<typeof mailOf>[0]).text;
    expect(mail).toContain(`page: ${PUBLIC}/jobs/${job}\nrun page: ${runUrl}\n`);

    // The link's target: the job's page has the run's row, by its id.
    const page = await request(`${url}/jobs/${job}`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.text).toContain(`id="${run}"`);

    const readme = await eventually(async () => {
      const text = await git(
        remote.url.replace("file://", ""),
        "show",
        "gitcron-status:README.md",
      ).catch(() => "");
      return text.includes(`${job}](`) ? text : undefined;
    }, 20_000);
    expect(readme).toContain(`[${job}](${PUBLIC}/jobs/${job})`);
  });

  it.each([
    ["https://cron.example.com/", { url: "https://cron.example.com" }],
    ["http://10.0.0.5:8080/gitcron", { url: "http://10.0.0.5:8080/gitcron" }],
    ["ftp://cron.example.com", { error: "must be http:// or https://, not ftp://" }],
    [
      "https://user:pw@cron.example.com",
      { error: "must not hold credentials: it is written into notifications" },
    ],
    ["https://cron.example.com/?a=1", { error: "must not have a query or a fragment" }],
    ["cron.example.com", { error: "is not a URL such as https://cron.example.com" }],
  ])("takes %j as %j", (raw, want) => {
    expect(checkPublicUrl(raw)).toEqual(want);
  });
});
