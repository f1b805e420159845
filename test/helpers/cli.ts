// The built gitcron run as a user runs it: a child process, its exit code and output.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../dist/bin/gitcron.cjs", import.meta.url));
/** The command as npm installs it: a shell script that starts BIN (src/cli/launcher.sh). */
export const LAUNCHER = fileURLToPath(new URL("../../dist/bin/gitcron", import.meta.url));

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The test's own GITCRON_* variables never leak into the command; `env` adds to the rest. */
export function gitcron(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Ran> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("GITCRON_")),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // A command that should have ended is killed (SIGTERM) rather than outliving the test.
      {
        cwd: options.cwd,
        env: { ...clean, ...options.env },
        ...(options.timeoutMs && { timeout: options.timeoutMs }),
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}
