#!/usr/bin/env node
// The `gitcron` executable: picks the command, turns error kinds into exit codes. In the bundle
// each command is a script of its own (scripts/bundle.mjs), loaded through a code cache.

import { oneLine } from "../errors.js";
import { closest } from "../text/closest.js";
import type { CliIO } from "./command.js";
import { commandTable, loadCommand } from "./commands.js";

const usage = () =>
  [
    "gitcron — scheduled container jobs from a Git repository",
    "",
    "Usage: gitcron <command> [flags]",
    "",
    "Commands:",
    ...Object.entries(commandTable).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    "",
    "Run `gitcron <command> --help` for a command's flags.",
    "Exit codes: 0 ok, 1 the input is wrong (invalid jobs, a failed job), 2 usage or environment.",
  ].join("\n");

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [first, ...afterFirst] = argv;
  // `gitcron help validate` is `gitcron validate --help`.
  const topic = first === "help" ? afterFirst[0] : undefined;
  const [name, ...rest] = topic ? [topic, "--help"] : argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "version") {
    const { version } = await import("../version.js");
    io.stdout.write(`gitcron ${version}\n`);
    return 0;
  }
  const command = await loadCommand(name);
  if (!command) {
    const guess = closest(name, Object.keys(commandTable));
    const hint = guess ? `did you mean "${guess}"? ` : "";
    io.stderr.write(
      `gitcron: unknown command "${name}"; ${hint}run \`gitcron --help\` for the list.\n`,
    );
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(`${command.help.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    // A command's script has a copy of errors.ts of its own (scripts/bundle.mjs): the kind of
    // error it threw is told by name, not by class.
    if (err instanceof Error && err.name === "UsageError") {
      io.stderr.write(`gitcron ${name}: ${err.message}; see \`gitcron ${name} --help\`.\n`);
      return 2;
    }
    if (err instanceof Error && err.name === "EnvironmentError") {
      io.stderr.write(`gitcron ${name}: ${oneLine(err)}\n`);
      return 2;
    }
    io.stderr.write(`gitcron ${name}: internal error: ${oneLine(err)}\n`);
    if (io.env.GITCRON_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
    return 2;
  }
}

// `gitcron validate | head` closes the pipe early: the reader has what it wanted, so the rest of
// the output is dropped quietly and the command still ends with its own exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
  });
}

// The launcher (src/cli/launcher.sh) starts Node without NODE_EXTRA_CA_CERTS for a command that
// opens no TLS connection; the programs gitcron starts (credential helpers) see it as it was.
const deferredCerts = process.env.GITCRON_NODE_EXTRA_CA_CERTS;
if (deferredCerts !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = deferredCerts;
  delete process.env.GITCRON_NODE_EXTRA_CA_CERTS;
}

const io: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`gitcron: internal error: ${oneLine(err)}\n`);
    process.exitCode = 2;
  },
);
