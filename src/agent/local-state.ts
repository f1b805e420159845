// What the agent keeps in --data-dir between restarts (as core/json-file.ts files): the last
// good spec per file (so an invalid file after a restart still leaves its job running), the
// newest handled tick per job (so missed ticks can be counted) and the retries waiting for
// their backoff (so a restart does not drop them).

import type { GoodSpec, Rejection } from "../plan/desired.js";

export interface AppliedState {
  version: 1;
  /** Changes when settings that affect validation change; a mismatch forces a full re-read. */
  settingsKey: string;
  revision: string | null;
  specs: [string, GoodSpec][];
  /** The files rejected at `revision`: a restart on the same revision reads no file again,
   * and must still know (and show, and not tell as fixed) what is rejected. */
  rejected?: Rejection[];
}

export type Cursors = Record<string, string>;
