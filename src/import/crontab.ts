// A crontab → one draft per job line, read as supercronic reads it (its seconds and year fields,
// `NAME=value` lines, `#` comments), which is also how Vixie cron reads a user's crontab. Each
// command runs in a container of the image given with --image, through the crontab's shell.

import { cut } from "../jobs/findings.js";
import { splitWords } from "../jobs/words.js";
import { commentOn, type Draft, issueAt, newDraft, note, type Parsed, setZone } from "./draft.js";
import { fromSupercronic, splitCrontabLine } from "./schedule.js";

export interface CrontabOptions {
  /** The image every command runs in: a crontab names none. */
  image: string;
  timezone?: string | undefined;
}

/** supercronic's own pattern for an assignment line. */
const ASSIGNMENT = /^([^\s=]+)\s*=\s*(.*)$/;

/** Assignments that configure cron itself, not the command's environment. */
const CRON_SETTINGS: Readonly<Record<string, string>> = {
  MAILTO:
    "cron mailed each run's output; gitcron sends failure, recovery and late notifications to the agent's --notify targets (docs/notifications.md)",
  MAILFROM: "cron's mail sender; notifications are the agent's --notify",
  USER: 'supercronic ignores USER; to run the command as a user, set user: (e.g. "1000:1000")',
};

export function parseCrontab(text: string, file: string, options: CrontabOptions): Parsed {
  const parsed: Parsed = { drafts: [], issues: [] };
  /** Every assignment with the line it is on: a job gets those above it. */
  const assignments: { name: string; value: string; line: number }[] = [];
  let shell = "/bin/sh";
  let timezone: string | undefined;
  const jobs: { draft: Draft; line: number }[] = [];

  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/^[ \t]+/, "");
    const at = { line: index + 1, col: raw.length - line.length + 1 };
    if (line === "" || line.startsWith("#")) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (assignment) {
      const name = assignment[1] as string;
      const value = unquote(assignment[2] as string);
      if (name === "SHELL") shell = value;
      else if (name === "CRON_TZ") timezone = value;
      else assignments.push({ name, value, line: at.line });
      continue;
    }
    const split = splitCrontabLine(line);
    if (!split) {
      parsed.issues.push(
        issueAt(file, at, "error", {
          rule: "import.crontab",
          message: `not a crontab line: "${cut(line)}"`,
          hint: "a line is a schedule (five fields, six with a year, seven with seconds and a year, or a macro) and a command, or NAME=value",
        }),
      );
      continue;
    }
    const schedule = fromSupercronic(split.fields);
    if ("refused" in schedule) {
      parsed.issues.push(issueAt(file, at, "error", schedule.refused));
      continue;
    }
    const draft = newDraft(nameOf(split.command), { file, at, what: `the crontab line` }, [
      `Imported by \`gitcron import\` from ${file}:${at.line}, a crontab line read as supercronic reads it:`,
      `  ${line.trimEnd()}`,
    ]);
    draft.fields.schedule = schedule.schedule;
    if (schedule.seconds) draft.fields.seconds = true;
    if (schedule.comment) commentOn(draft, ["schedule"], schedule.comment);
    setZone(
      draft,
      timezone,
      options.timezone,
      "supercronic read the schedule in its container's zone (TZ or /etc/localtime)",
    );
    draft.fields.image = options.image;
    commentOn(draft, ["image"], "given with --image: a crontab names no image");
    draft.fields.entrypoint = [shell, "-c"];
    commentOn(draft, ["entrypoint"], "cron runs each command through its SHELL");
    draft.fields.command = [split.command];
    if (/(^|[^\\])%/.test(split.command)) {
      commentOn(
        draft,
        ["command"],
        "Vixie cron turns an unescaped % into a new line and feeds what follows to stdin; supercronic and gitcron run the command as written",
      );
    }
    parsed.drafts.push(draft);
    jobs.push({ draft, line: at.line });
  }

  for (const { draft, line } of jobs) addEnvironment(draft, line, assignments);
  return parsed;
}

/** Assignments above the job line are its environment, as in Vixie cron; supercronic also
 * applies those below it, which is said in a comment. The last value of a name wins. */
function addEnvironment(
  draft: Draft,
  jobLine: number,
  assignments: readonly { name: string; value: string; line: number }[],
): void {
  const env: Record<string, string> = {};
  const later = new Set<string>();
  for (const { name, value, line } of assignments) {
    const setting = CRON_SETTINGS[name];
    if (setting) {
      if (line < jobLine) note(draft, `${name}=${cut(value)}: ${setting}`);
      continue;
    }
    if (line < jobLine) env[name] = value;
    else if (!(name in env)) later.add(name);
  }
  const valid = Object.keys(env).filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  for (const name of Object.keys(env).filter((n) => !valid.includes(n)))
    note(draft, `${cut(name)}=…: not a valid environment variable name, left out`);
  if (valid.length > 0) draft.fields.env = Object.fromEntries(valid.map((n) => [n, env[n]]));
  if (later.size > 0) {
    note(
      draft,
      `supercronic also gives this job ${[...later].join(", ")}, assigned below its line (it applies every assignment to every job); add them to env: if the command needs them`,
    );
  }
}

/** Vixie cron's quotes: a value in matching quotes loses them. */
function unquote(value: string): string {
  const first = value[0];
  return (first === '"' || first === "'") && value.length > 1 && value.endsWith(first)
    ? value.slice(1, -1)
    : value;
}

/** A name from the command: its program, and its first argument when that is a plain word. */
function nameOf(command: string): string {
  const split = splitWords(command);
  const words = split.ok ? split.words : command.split(/\s+/);
  const program = (words[0] ?? "job").split("/").pop() ?? "job";
  const argument = words[1];
  return argument && /^[A-Za-z][\w.-]*$/.test(argument) ? `${program}-${argument}` : program;
}
