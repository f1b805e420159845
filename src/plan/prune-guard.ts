// Whether a revision may be applied without being confirmed. A moved jobs folder, a --path
// that no longer exists, or a revision that deletes all or most jobs looks exactly like a
// deliberate clean-up to the plan; applying it stops every job silently. Like Argo CD's prune
// safety and Flux's `prune`, such a revision is held until someone confirms it
// (--allow-prune <revision>), and the jobs keep running on their last applied specs.

import type { PlanEntry } from "./plan.js";

/** At or above this many active jobs, removing more than half of them is held too. */
export const PRUNE_MANY_FROM = 4;

export interface PruneCheck {
  /** The plan of the revision against the jobs applied now. */
  entries: readonly PlanEntry[];
  /** The revision's tree has no --path at all. */
  jobsPathMissing: boolean;
  jobsPath: string;
  revision: string;
  /** --allow-prune: a revision (or its prefix, 7+ characters) confirmed by the operator. */
  allowed?: string | undefined;
}

/** Why the revision is held, in a sentence; null when it may be applied. */
export function pruneHold(check: PruneCheck): string | null {
  if (confirms(check.allowed, check.revision)) return null;
  const active = check.entries.filter((e) => e.action !== "add").length;
  const removed = check.entries.filter((e) => e.action === "remove").length;
  const added = check.entries.filter((e) => e.action === "add").length;
  const adding = added > 0 ? ` (and adds ${added})` : "";
  if (check.jobsPathMissing)
    return active === 0
      ? null
      : `--path ${check.jobsPath} is not in revision ${short(check.revision)} (was the folder moved or renamed?); it would remove all ${active} jobs`;
  if (active === 0 || removed === 0) return null;
  if (removed === active)
    return `revision ${short(check.revision)} removes all ${active} jobs${adding}`;
  if (active >= PRUNE_MANY_FROM && removed * 2 > active)
    return `revision ${short(check.revision)} removes ${removed} of ${active} jobs${adding}`;
  return null;
}

function confirms(allowed: string | undefined, revision: string): boolean {
  const given = allowed?.trim().toLowerCase() ?? "";
  return given.length >= 7 && revision.toLowerCase().startsWith(given);
}

export const short = (revision: string) => revision.replace(/^folder:/, "").slice(0, 12);
