// The Action's entry point, bundled by esbuild into action/dist/index.js so a workflow step
// runs it with no install: `runs.using: node24`, `main: action/dist/index.js`.

import { oneLine } from "../errors.js";
import { runAction } from "./run.js";

runAction({
  env: process.env,
  stdout: process.stdout,
  cwd: process.cwd(),
  now: () => new Date(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stdout.write(`::error title=gitcron::internal error: ${oneLine(err)}\n`);
    process.exitCode = 2;
  },
);
