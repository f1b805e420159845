// Runs the COMMITTED bundle as a GitHub runner does: a checkout in GITHUB_WORKSPACE,
// inputs in INPUT_* variables, files for the step summary and the outputs, and an
// `origin` (a real bare repository over file://) that holds the agent's status branch.

import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadJobTree } from "../../src/jobs/load.js";
import { defaultPolicy } from "../../src/jobs/policy.js";
import { specHash } from "../../src/plan/hash.js";

const BUNDLE = path.resolve("action/dist/index.js");
const exec = promisify(execFile);

const JOBS: Record<string, string> = {
  // Yearly, so its next three runs are known whatever day the test runs.
  "jobs/report.yaml": 'schedule: "0 0 1 1 *"\ntimezone: Europe/Amsterdam\nimage: acme/report:1\n',
  "jobs/fast.yaml": 'schedule: "*/10 * * * * *"\nimage: acme/fast:1\n',
  "jobs/fresh.yaml": 'schedule: "@daily"\nimage: acme/fresh:1\n',
  "jobs/broken.yaml": 'schedule: "@hourly"\nimage: acme/broken:1\nimagee: typo\n"50%off": 1\n',
  "jobs/.drafts/ignored.yaml": "not: a job\n",
};

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
    cwd,
    encoding: "utf8",
  });

function writeTree(root: string, files: Record<string, string>) {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

interface Repo {
  origin: string;
  checkout: string;
}

/** A bare origin with `main` (the given files) and, if given, a status branch with state.json. */
function makeRepo(
  root: string,
  files: Record<string, string>,
  state?: unknown,
  checkoutDepth: string[] = ["--depth=1"],
): Repo {
  const origin = path.join(root, "origin.git");
  const seed = path.join(root, "seed");
  git(root, "init", "-q", "--bare", "-b", "main", origin);
  git(root, "init", "-q", "-b", "main", seed);
  writeTree(seed, files);
  git(seed, "add", "-A");
  git(seed, "commit", "-q", "-m", "jobs");
  git(seed, "remote", "add", "origin", `file://${origin}`);
  git(seed, "push", "-q", "origin", "main");
  if (state) {
    git(seed, "checkout", "-q", "--orphan", "gitcron-status");
    git(seed, "rm", "-q", "-r", "-f", ".");
    writeFileSync(path.join(seed, "state.json"), JSON.stringify(state));
    git(seed, "add", "state.json");
    git(seed, "commit", "-q", "-m", "state");
    git(seed, "push", "-q", "origin", "gitcron-status");
  }
  // actions/checkout makes a shallow clone of the pull request's head by default.
  const checkout = path.join(root, "workspace");
  git(root, "clone", "-q", ...checkoutDepth, "-b", "main", `file://${origin}`, checkout);
  return { origin, checkout };
}

interface ActionRun {
  code: number;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
}

async function runBundle(root: string, workspace: string, inputs: Record<string, string>) {
  const summaryFile = path.join(root, `summary-${Math.random()}.md`);
  const outputFile = path.join(root, `output-${Math.random()}.txt`);
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    GITHUB_WORKSPACE: workspace,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    // The runner passes every declared input, the defaults of action.yml included.
    INPUT_PATH: ".",
    "INPUT_FAIL-ON-WARNINGS": "false",
    "INPUT_SECRET-ENV": "SECRET_*",
    "INPUT_ALLOW-HOST-PATH": "",
    "INPUT_STATUS-BRANCH": "gitcron-status",
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const result = await exec(process.execPath, [BUNDLE], { cwd: workspace, env }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
  );
  const outputs = Object.fromEntries(
    readFileSync(outputFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("=") as [string, string]),
  );
  return { ...result, summary: readFileSync(summaryFile, "utf8"), outputs } as ActionRun;
}

/** When "0 0 1 1 *" in Amsterdam (23:00 UTC on 31 December) next fires after `now`. */
function nextNewYears(now: Date, n: number): string[] {
  const years: string[] = [];
  for (let y = now.getUTCFullYear(); years.length < n; y++) {
    if (Date.UTC(y - 1, 11, 31, 23) > now.getTime()) years.push(`${y}-01-01T00:00:00+01:00`);
  }
  return years;
}

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "gitcron-action-"));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("the committed Action bundle, run as a runner runs it", () => {
  let run: ActionRun;
  let startedAt: Date;

  beforeAll(async () => {
    const dir = path.join(root, "full");
    mkdirSync(dir);
    // Hashes of the specs exactly as the agent would hold them.
    const seedJobs = path.join(dir, "spec-source");
    writeTree(seedJobs, JOBS);
    const loaded = await loadJobTree(["jobs"], {
      policy: defaultPolicy(),
      defaultTimezone: "UTC",
      cwd: seedJobs,
    });
    const fast = loaded.specs.find((s) => s.name === "fast");
    if (!fast) throw new Error("fixture fast.yaml did not load");
    const state = {
      version: 1,
      revision: "feedc0ffee0123456789feedc0ffee0123456789",
      jobs: {
        fast: { file: "fast.yaml", specHash: specHash(fast) },
        report: { file: "report.yaml", specHash: "0000000000000000" },
        gone: { file: "gone.yaml", specHash: "1111111111111111" },
        broken: { file: "broken.yaml", specHash: "2222222222222222" },
      },
      rejected: [],
    };
    const repo = makeRepo(dir, JOBS, state);
    startedAt = new Date();
    run = await runBundle(dir, repo.checkout, { path: "jobs" });
  });

  it("fails the step because of the errors", () => {
    expect(run.code).toBe(1);
  });

  it("annotates each finding on its file, line and column, relative to the workspace", () => {
    const annotations = run.stdout.split("\n").filter((l) => l.startsWith("::"));
    expect(annotations).toEqual([
      '::error file=jobs/broken.yaml,line=3,col=1,title=gitcron schema.unknown::unknown field "imagee"%0Adid you mean "image"?',
      expect.stringMatching(
        /^::error file=jobs\/broken\.yaml,line=4,col=1,title=gitcron schema\.unknown::unknown field "50%25off"/,
      ),
      expect.stringMatching(
        /^::warning file=jobs\/fast\.yaml,line=1,col=11,title=gitcron cron\.seconds::fires every 10 seconds — six fields mean seconds first: next /,
      ),
    ]);
    expect(run.stdout).toContain("gitcron: 4 files, 2 errors, 1 warning\n");
  });

  it("writes the counts as step outputs", () => {
    expect(run.outputs).toEqual({ errors: "2", warnings: "1", jobs: "3", files: "4" });
  });

  it("summarises each valid job with its schedule in words, zone and next three runs", () => {
    const row = run.summary.split("\n").find((l) => l.startsWith("| `report` |"));
    expect(row).toBe(
      `| \`report\` | \`jobs/report.yaml\` | \`0 0 1 1 *\` | At 12:00 AM, on day 1 of the month, only in January | Europe/Amsterdam | ${nextNewYears(startedAt, 3).join("<br>")} |`,
    );
    expect(run.summary).toMatch(
      /\| `fresh` \| `jobs\/fresh\.yaml` \| `@daily` \| At 12:00 AM \| UTC \|/,
    );
    expect(run.summary).not.toContain("ignored");
    expect(run.summary).toContain("### Errors");
    expect(run.summary).toContain("| `jobs/fast.yaml:1:11` | `cron.seconds` |");
  });

  it("shows the plan against the status branch fetched from origin", () => {
    const block = run.summary.slice(run.summary.indexOf("```diff\n") + 8);
    const lines = block.slice(0, block.indexOf("\n```")).split("\n");
    // As `gitcron plan` prints it: a job whose file is invalid keeps running as it is (= same).
    expect(lines.map((l) => l.replace(/\s+/g, " "))).toEqual([
      "= same broken broken.yaml",
      "= same fast fast.yaml",
      "+ add fresh fresh.yaml",
      "- remove gone gone.yaml",
      "~ change report report.yaml",
      "1 to add, 1 to change, 1 to remove, 2 unchanged.",
    ]);
    expect(run.summary).toContain("(the agent has applied `feedc0ffee01`)");
    expect(run.summary).toContain("Left as they run now, because their file is invalid: `broken`.");
  });
});

describe("the Action's verdict", () => {
  const clean = { "report.yaml": 'schedule: "@weekly"\nimage: acme/report:1\n' };
  const noisy = { ...clean, "fast.yaml": 'schedule: "*/10 * * * * *"\nimage: acme/fast:1\n' };

  it("passes valid jobs and says why there is no plan when origin has no status branch", async () => {
    const dir = path.join(root, "clean");
    mkdirSync(dir);
    const repo = makeRepo(dir, clean);
    const run = await runBundle(dir, repo.checkout, {});
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("::");
    expect(run.outputs).toEqual({ errors: "0", warnings: "0", jobs: "1", files: "1" });
    expect(run.summary).toContain('No plan: origin has no branch "gitcron-status" yet.');
  });

  it("reads the plan from a full clone without making the clone shallow", async () => {
    const dir = path.join(root, "full-clone");
    mkdirSync(dir);
    const state = {
      version: 1,
      revision: null,
      jobs: { old: { file: "old.yaml", specHash: "x" } },
    };
    const repo = makeRepo(dir, clean, state, []);
    const run = await runBundle(dir, repo.checkout, {});
    expect(run.code).toBe(0);
    expect(run.summary).toMatch(/- remove old +old\.yaml\n\+ add +report +report\.yaml\n/);
    expect(git(repo.checkout, "rev-parse", "--is-shallow-repository").trim()).toBe("false");
  });

  it("reads the plan from the status-repo input when the status branch is in another repository", async () => {
    const dir = path.join(root, "status-repo");
    mkdirSync(dir);
    const repo = makeRepo(dir, clean);
    const statusRepo = path.join(dir, "status.git");
    const seed = path.join(dir, "status-seed");
    git(dir, "init", "-q", "--bare", statusRepo);
    git(dir, "init", "-q", "-b", "gitcron-status", seed);
    writeFileSync(
      path.join(seed, "state.json"),
      JSON.stringify({
        version: 1,
        revision: null,
        jobs: { old: { file: "old.yaml", specHash: "x" } },
      }),
    );
    git(seed, "add", "state.json");
    git(seed, "commit", "-q", "-m", "state");
    git(seed, "push", "-q", `file://${statusRepo}`, "gitcron-status");
    const run = await runBundle(dir, repo.checkout, { "status-repo": `file://${statusRepo}` });
    expect(run.code).toBe(0);
    expect(run.summary).toMatch(/- remove old +old\.yaml\n\+ add +report +report\.yaml\n/);
    // Without the input, the checkout's origin (which has no status branch) is asked.
    const plain = await runBundle(dir, repo.checkout, {});
    expect(plain.summary).toContain('No plan: origin has no branch "gitcron-status" yet.');
  });

  it("never prints a status-repo password holding an unencoded / or @", async () => {
    const dir = path.join(root, "status-repo-password");
    mkdirSync(dir);
    const repo = makeRepo(dir, clean);
    // Nothing listens on port 9 of loopback: the fetch fails at once, and says why.
    const statusRepo = "https://reader:s3cr/et@pw0rd@127.0.0.1:9/acme/status.git";
    const run = await runBundle(dir, repo.checkout, { "status-repo": statusRepo });
    expect(run.code).toBe(0);
    // Escaped for the summary's Markdown: \*\*\*, and a URL that is no link.
    expect(run.summary).toContain(
      'No plan: could not fetch "gitcron-status" from https\u200B://\\*\\*\\*@\u200B127.0.0.1:9/acme/status.git',
    );
    expect(`${run.stdout}\n${run.summary}`).not.toMatch(/s3cr|et@pw0rd|pw0rd/);
  });

  it("passes warnings unless fail-on-warnings turns them into errors", async () => {
    const dir = path.join(root, "noisy");
    mkdirSync(dir);
    const repo = makeRepo(dir, noisy);
    const lenient = await runBundle(dir, repo.checkout, {});
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain("::warning file=fast.yaml,line=1,col=11,");
    const strict = await runBundle(dir, repo.checkout, { "fail-on-warnings": "true" });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("::error file=fast.yaml,line=1,col=11,");
    expect(strict.outputs).toMatchObject({ errors: "1", warnings: "0" });
  });

  it("judges fromEnv by the secret-env input, as the agent would", async () => {
    const dir = path.join(root, "secrets");
    mkdirSync(dir);
    const job = 'schedule: "@daily"\nimage: acme/a:1\nenv:\n  TOKEN: { fromEnv: APP_TOKEN }\n';
    const repo = makeRepo(dir, { "a.yaml": job });
    const byDefault = await runBundle(dir, repo.checkout, {});
    expect(byDefault.code).toBe(1);
    expect(byDefault.stdout).toMatch(/^::error file=a\.yaml,line=4,/m);
    const allowed = await runBundle(dir, repo.checkout, { "secret-env": "APP_*" });
    expect(allowed.code).toBe(0);
  });

  it("escapes workflow-command properties in a file name", async () => {
    const dir = path.join(root, "escape");
    mkdirSync(dir);
    const repo = makeRepo(dir, { "a,b:c.yaml": 'schedule: "@daily"\nimage: acme/a:1\nextra: 1\n' });
    const run = await runBundle(dir, repo.checkout, {});
    expect(run.stdout).toContain("::error file=a%2Cb%3Ac.yaml,line=");
  });

  it("reports a misconfigured step as one error and exit code 2", async () => {
    const dir = path.join(root, "misconfigured");
    mkdirSync(dir);
    const repo = makeRepo(dir, clean);
    const missing = await runBundle(dir, repo.checkout, { path: "nope" });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("::error title=gitcron::no such file or folder: nope\n");
    const badFlag = await runBundle(dir, repo.checkout, { "fail-on-warnings": "maybe" });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stdout).toContain("fail-on-warnings must be true or false");
  });
});
