// The shape every command file exports, and the shared flag parsing.

import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { closest } from "../text/closest.js";

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Returns the exit code: 0 ok, 1 the input is wrong, 2 usage or environment. */
  run(argv: string[], io: CliIO): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with errors turned into one-sentence UsageErrors and `--help` built in. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    const msg = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
    const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(msg);
    const guess = unknown && closest(unknown[2] as string, [...Object.keys(options), "help"]);
    const hint = guess ? `; did you mean --${guess}?` : "";
    throw new UsageError(
      `${msg.replace(/\. To specify a positional.*$/, "") || "bad arguments"}${hint}`,
    );
  }
}

export const writeLine = (stream: NodeJS.WritableStream, text = "") => stream.write(`${text}\n`);
