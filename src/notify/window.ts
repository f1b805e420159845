// How long a job may go without a success before it is late (SPEC §7): `expectSuccessWithin`
// as written, or `auto` — the longest gap between two fire times of the schedule in its zone
// over the next year, plus the job's timeout or else one hour. Pure: the clock is passed in.

import type { JobSpec } from "../jobs/spec.js";
import type { ZoneCache } from "../schedule/cron.js";
import { longestGapMs, runAllowanceMs } from "../schedule/gaps.js";

export { longestGapMs };

/** The job's late window in ms, or undefined when it has none (no expectSuccessWithin, or a
 * schedule that never fires again). */
export function lateWindowMs(
  spec: Pick<JobSpec, "schedule" | "timezone" | "timeoutMs" | "expectSuccessWithin">,
  now: Date,
  zones?: ZoneCache,
): number | undefined {
  const expect = spec.expectSuccessWithin;
  if (!expect) return undefined;
  if ("ms" in expect) return expect.ms;
  const gap = longestGapMs(spec, now, zones);
  return gap === null ? undefined : gap + runAllowanceMs(spec.timeoutMs);
}
