#!/usr/bin/env node
// The `gitcron` executable. Before the CLI is loaded, Node is asked to keep the code it compiles
// on disk for the next start (module.enableCompileCache, Node ≥ 22.1; NODE_COMPILE_CACHE picks
// the folder, NODE_DISABLE_COMPILE_CACHE=1 turns it off): `gitcron run` then spends its start-up
// on the job, not on compiling the bundle again. Node 20 has no such cache, and starts as before.

import * as nodeModule from "node:module";

const { enableCompileCache } = nodeModule as { enableCompileCache?: () => unknown };
try {
  enableCompileCache?.();
} catch {
  // A cache that cannot be written (read-only home, full disk) only costs speed.
}
await import("./main.js");
