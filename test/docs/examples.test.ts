// The README's and docs/'s examples, run as a reader would run them, so that a renamed command,
// flag or output shows up here before it shows up in an issue.
//
// Which blocks run is marked in the Markdown, by the fenced block's info string (GitHub shows
// only the first word, so a reader never sees the marker):
//
//   ```sh test            run with `bash -e -o pipefail`; it must exit 0
//   ```sh test exit=124   … it must exit 124 (an agent stopped by `timeout`, say)
//   ```console test       each `$ command` is run and must print exactly the lines below it
//                         (stdout and stderr together), where `…` stands for any text in a
//                         line and a line of `…` alone for any lines; it must exit 0, or N
//                         when its line ends with the comment `# exits N`
//   ```yaml test [FLAGS]  a job file: `gitcron validate FLAGS` must pass it
//
// The marked blocks of one page run in order, in one temp folder of that page (holding copies
// of jobs.example/ and schema/, as a clone does), with a `gitcron` on the PATH that runs this
// checkout's dist/bin/gitcron.cjs, no GITCRON_* variables and a fixed Git identity. Pages run
// side by side; a block gets BLOCK_TIMEOUT_MS.
//
// Blocks that need what a test does not have (a GitHub repository, a registry, an agent left
// running, `npm install -g`) stay unmarked. For those too, and for inline code: every
// `gitcron COMMAND` mentioned must be a command whose `--help` works, and every flag given to it
// must appear in that help. The settings tables (FLAG_TABLES) must list exactly the flags of
// their command's --help. Every relative link and #anchor must resolve, and every page of docs/
// must be linked from the README. At least MIN_MARKED blocks must be marked, so that losing the
// markers cannot make this test pass by running nothing.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, cp, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { tempDirs } from "../helpers/git.js";
import {
  anchorsOf,
  type Block,
  commandLines,
  gitcronCalls,
  inlineCode,
  linesMatch,
  linksOf,
  type Page,
  parsePage,
} from "./markdown.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BLOCK_TIMEOUT_MS = 45_000;
/** Fewer marked blocks than this means the markers were lost, not that the docs shrank. */
const MIN_MARKED = 15;
/** Pages whose flag | env | default table documents a command's settings, all of them. */
const FLAG_TABLES: Record<string, string> = {
  "docs/agent.md": "agent",
  "docs/job-format.md": "validate",
};

const dirs = tempDirs("gitcron-docs-");

async function readPages(): Promise<Page[]> {
  const docs = (await readdir(join(ROOT, "docs"))).filter((f) => f.endsWith(".md")).sort();
  const files = ["README.md", ...docs.map((f) => `docs/${f}`)];
  return Promise.all(files.map(async (f) => parsePage(f, await readFile(join(ROOT, f), "utf8"))));
}

const pages = await readPages();
const marked = (page: Page) => page.blocks.filter((b) => b.marks[0] === "test");
const where = (b: Block) => `${b.file}:${b.line}`;

let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  const bin = await dirs.make("bin-");
  const wrapper = join(bin, "gitcron");
  await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(wrapper, 0o755);
  env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GITCRON_"))),
    PATH: `${bin}:${process.env.PATH}`,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "docs",
    GIT_AUTHOR_EMAIL: "docs@localhost",
    GIT_COMMITTER_NAME: "docs",
    GIT_COMMITTER_EMAIL: "docs@localhost",
    GIT_TERMINAL_PROMPT: "0",
  };
});
afterAll(() => dirs.cleanup());

interface Ran {
  code: number | null;
  output: string;
  timedOut: boolean;
}

/** bash with `args`, in its own process group, so a timeout ends everything it started. */
function bash(args: string[], cwd: string): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn("bash", args, {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    }, BLOCK_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, output, timedOut });
    });
  });
}

const tail = (text: string) => text.split("\n").slice(-40).join("\n");

async function runBlock(block: Block, cwd: string): Promise<void> {
  const options = block.marks.slice(1);
  if (block.lang === "sh") {
    const unknown = options.filter((o) => !/^exit=\d+$/.test(o));
    expect(unknown, `${where(block)}: unknown marker options`).toEqual([]);
    const expected = Number(/^exit=(\d+)$/.exec(options[0] ?? "")?.[1] ?? 0);
    const ran = await bash(["-e", "-o", "pipefail", "-c", block.code], cwd);
    expect(
      { code: ran.code, timedOut: ran.timedOut },
      `${where(block)} exited ${ran.code}${ran.timedOut ? " (timed out)" : ""}:\n${tail(ran.output)}`,
    ).toEqual({ code: expected, timedOut: false });
  } else if (block.lang === "console") {
    expect(options, `${where(block)}: unknown marker options`).toEqual([]);
    const steps: { command: string; expected: string[] }[] = [];
    let pending = "";
    for (const line of block.code.split("\n")) {
      const last = steps.at(-1);
      if (pending || line.startsWith("$ ")) {
        const text = pending ? line : line.slice(2);
        if (text.endsWith("\\")) {
          pending += `${text.slice(0, -1)} `;
        } else {
          steps.push({ command: pending + text, expected: [] });
          pending = "";
        }
      } else if (last) {
        last.expected.push(line.trimEnd());
      }
    }
    expect(steps.length, `${where(block)}: a console block without a $ command`).toBeGreaterThan(0);
    for (const step of steps) {
      const exits = Number(/#\s*exits (\d+)\s*$/.exec(step.command)?.[1] ?? 0);
      const ran = await bash(["-o", "pipefail", "-c", `{ ${step.command}\n} 2>&1`], cwd);
      const printed = ran.output.split("\n").map((l) => l.trimEnd());
      while (printed.at(-1) === "") printed.pop();
      while (step.expected.at(-1) === "") step.expected.pop();
      // Shown as a diff against what the block says, unless the elisions account for it.
      expect(
        linesMatch(printed, step.expected) ? step.expected : printed,
        `${where(block)}: $ ${step.command}`,
      ).toEqual(step.expected);
      expect(
        { code: ran.code, timedOut: ran.timedOut },
        `${where(block)}: $ ${step.command}: exit code`,
      ).toEqual({ code: exits, timedOut: false });
    }
  } else if (block.lang === "yaml") {
    const file = join(cwd, `example-${block.line}.yaml`);
    await writeFile(file, `${block.code}\n`);
    const ran = await bash(["-c", 'gitcron validate "$@" 2>&1', "validate", ...options, file], cwd);
    expect(ran.code, `${where(block)}: gitcron validate ${options.join(" ")}:\n${ran.output}`).toBe(
      0,
    );
  } else {
    throw new Error(`${where(block)}: "${block.lang} test" is not a kind of block this test runs`);
  }
}

describe("the examples of the README and docs/", () => {
  it(`marks at least ${MIN_MARKED} blocks to run, in the README and in docs/`, () => {
    const count = pages.flatMap(marked).length;
    expect(count).toBeGreaterThanOrEqual(MIN_MARKED);
    expect(marked(pages.find((p) => p.file === "README.md") as Page).length).toBeGreaterThan(0);
    expect(pages.filter((p) => p.file !== "README.md").flatMap(marked).length).toBeGreaterThan(0);
  });

  it("a block fails when it does not do what it shows", async () => {
    const cwd = await dirs.make("promises-");
    const block = (lang: string, code: string, marks = ["test"]): Block => ({
      file: "promise.md",
      line: 1,
      lang,
      marks,
      code,
    });
    const kept = [
      block("console", '$ echo hello; echo "exit code 3"\nhello\nexit code 3'),
      block("console", "$ printf 'a\\nb\\nc\\n'\na\n…"),
      block("console", "$ echo hello from abc123\nhello from …"),
      block("console", "$ sh -c 'echo no; exit 1'   # exits 1\nno"),
      block("sh", "exit 2", ["test", "exit=2"]),
    ];
    for (const b of kept) await runBlock(b, cwd);
    const broken = [
      // Another output than the one shown, also where the rest is elided.
      block("console", "$ echo failed\nsucceeded"),
      block("console", "$ echo hello from abc\nhello to …"),
      block("console", "$ printf 'a\\nb\\n'\n…\nc"),
      // The output shown, but another exit code: unless the line says so, 0.
      block("console", "$ sh -c 'echo hello; exit 2'\nhello"),
      block("console", "$ sh -c 'echo hello; exit 2'   # exits 3\nhello"),
      block("sh", "exit 2"),
    ];
    for (const b of broken) await expect(runBlock(b, cwd), b.code).rejects.toThrow();
  });

  describe.concurrent("marked blocks run as written", () => {
    for (const page of pages.filter((p) => marked(p).length > 0)) {
      it(`${page.file}`, async () => {
        const cwd = await dirs.make("page-");
        await cp(join(ROOT, "jobs.example"), join(cwd, "jobs.example"), { recursive: true });
        await cp(join(ROOT, "schema"), join(cwd, "schema"), { recursive: true });
        for (const block of marked(page)) await runBlock(block, cwd);
      }, 180_000);
    }
  });

  it("every gitcron command they mention exists, with the flags given to it", async () => {
    const mentions = new Map<string, Map<string, string>>();
    const note = (command: string, flag: string, at: string) => {
      const flags = mentions.get(command) ?? new Map<string, string>();
      if (!flags.has(flag)) flags.set(flag, at);
      mentions.set(command, flags);
    };
    for (const page of pages) {
      const lines = [
        ...page.blocks
          .filter((b) => ["sh", "bash", "shell", "console", ""].includes(b.lang))
          .flatMap((b) => commandLines(b).map((line) => ({ line, at: where(b) }))),
        ...inlineCode(page.prose).map((line) => ({ line, at: page.file })),
      ];
      for (const { line, at } of lines) {
        for (const call of gitcronCalls(line)) {
          note(call.command, "", at);
          for (const flag of call.flags) note(call.command, flag, at);
        }
      }
    }
    const help = await bash(["-c", "gitcron --help"], ROOT);
    expect(help.code).toBe(0);
    const commands = new Set(
      [...help.output.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1] as string),
    );
    commands.add("help");
    // The docs must show the commands users need, not only the ones they happen to mention.
    for (const c of ["validate", "next", "run", "agent", "plan", "status", "logs", "trigger"]) {
      expect(mentions.has(c), `gitcron ${c} is never shown in the docs`).toBe(true);
    }
    const problems: string[] = [];
    await Promise.all(
      [...mentions].map(async ([command, flags]) => {
        if (command.startsWith("-")) {
          const ran = await bash(["-c", `gitcron ${command}`], ROOT);
          if (ran.code !== 0) problems.push(`gitcron ${command} exits ${ran.code}`);
          return;
        }
        if (!commands.has(command)) {
          problems.push(`${flags.get("")}: gitcron ${command}: no such command`);
          return;
        }
        const ran = await bash(["-c", `gitcron ${command} --help`], ROOT);
        if (ran.code !== 0) problems.push(`gitcron ${command} --help exits ${ran.code}`);
        for (const [flag, at] of flags) {
          if (!flag) continue;
          const escaped = flag.replace(/[-]/g, "\\-");
          if (!new RegExp(`(^|[\\s,\\[])${escaped}(?=[\\s,=\\]]|$)`, "m").test(ran.output)) {
            problems.push(`${at}: gitcron ${command} ${flag}: not in gitcron ${command} --help`);
          }
        }
      }),
    );
    expect(problems).toEqual([]);
  }, 60_000);

  it("the settings tables list exactly the flags and variables of the command's --help", async () => {
    const problems: string[] = [];
    for (const [file, command] of Object.entries(FLAG_TABLES)) {
      const page = pages.find((p) => p.file === file) as Page;
      const rows = [
        ...page.prose.matchAll(
          /^\| `(--[a-z-]+)[^`]*` (?:\([^|]*\) )?\| (?:`(GITCRON_[A-Z_]+)`)? *\|/gm,
        ),
      ];
      const help = (await bash(["-c", `gitcron ${command} --help`], ROOT)).output;
      const documented = new Set(rows.map((r) => r[1] as string));
      for (const [, flag, variable] of rows) {
        if (!help.includes(flag as string))
          problems.push(`${file}: ${flag} is not a flag of ${command}`);
        if (variable && !help.includes(variable))
          problems.push(`${file}: ${flag} is not read from ${variable}`);
      }
      for (const [flag] of help.matchAll(/(?<=^ {2}|, )--[a-z][a-z-]+/gm)) {
        if (flag !== "--help" && !documented.has(flag))
          problems.push(`${file}: ${command} ${flag} is not in the table`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every relative link and anchor resolves", () => {
    const anchors = new Map(pages.map((p) => [p.file, anchorsOf(p)]));
    const broken: string[] = [];
    for (const page of pages) {
      for (const { target, line } of linksOf(page)) {
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto:
        const [path = "", anchor] = target.split("#");
        const file = path ? relative(ROOT, resolve(ROOT, dirname(page.file), path)) : page.file;
        const at = `${page.file}:${line}: ${target}`;
        if (file.startsWith("..") || !existsSync(join(ROOT, file))) {
          broken.push(`${at}: no such file`);
        } else if (anchor !== undefined) {
          const known = anchors.get(file);
          if (!known) broken.push(`${at}: an anchor into a page that is not checked`);
          else if (!known.has(anchor)) broken.push(`${at}: no such heading`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

// Checked here so that a page added to docs/ without a link from the README fails too.
describe("docs/", () => {
  it("every page in docs/ is linked from the README", async () => {
    const readme = pages.find((p) => p.file === "README.md") as Page;
    const linked = new Set(linksOf(readme).map((l) => l.target.split("#")[0]));
    const missing = pages.map((p) => p.file).filter((f) => f.startsWith("docs/") && !linked.has(f));
    expect(missing).toEqual([]);
  });
});
