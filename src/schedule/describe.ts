// Schedules in words, for the Action's step summary and the status README.

import cronstrue from "cronstrue";
import { normaliseExpression } from "./syntax.js";

/** E.g. "At 03:00 AM, only on Monday"; macros are expanded first. Throws ScheduleError. */
export function describeSchedule(expr: string): string {
  return cronstrue.toString(normaliseExpression(expr).source, { throwExceptionOnParseError: true });
}
