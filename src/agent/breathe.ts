// Long work on the agent's one thread (a revision of thousands of job files) gives the event
// loop a turn every few milliseconds, so /healthz answers and ticks fire on time meanwhile.

import { setImmediate } from "node:timers/promises";

/** Resolves at once, or after one turn of the event loop once `everyMs` of work went by. */
export function breather(everyMs = 20): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < everyMs) return;
    await setImmediate();
    since = performance.now();
  };
}
