// `gitcron validate [PATH...]`: judge job files as the agent will, print the findings.

import { UsageError } from "../errors.js";
import type { Issue } from "../jobs/issues.js";
import { loadJobTree } from "../jobs/load.js";
import {
  countIssues,
  ISSUE_FORMATS,
  type IssueFormat,
  renderGithub,
  renderJson,
  renderSummary,
  renderText,
  sortIssues,
} from "../jobs/render.js";
import { isTimeZone } from "../schedule/cron.js";
import { type Command, parseFlags } from "./command.js";
import { POLICY_FLAGS, POLICY_HELP, policyFromFlags } from "./policy-flags.js";

const help = `Usage: gitcron validate [PATH...] [flags]

Validate job files, or every *.yaml/*.yml file below folders (dot-folders are skipped).
PATH defaults to the current folder. Each finding names file:line:col and a rule.

Flags:
  --format text|json|github   output format (default text); github prints workflow
                              annotations with paths relative to the working directory
  --strict                    treat warnings as errors
${POLICY_HELP}

Exit codes: 0 valid (warnings alone are fine), 1 errors found, 2 bad flag or missing path.
`;

export const command: Command = {
  name: "validate",
  summary: "validate job files or folders",
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      format: { type: "string" },
      strict: { type: "boolean" },
      ...POLICY_FLAGS,
    });
    const format = (values.format ?? "text") as IssueFormat;
    if (!ISSUE_FORMATS.includes(format)) {
      throw new UsageError(`--format must be ${ISSUE_FORMATS.join(", ")}, not "${values.format}"`);
    }
    const policy = policyFromFlags(values, io.env);
    const defaultTimezone = values.timezone ?? io.env.GITCRON_TIMEZONE ?? "UTC";
    if (!isTimeZone(defaultTimezone))
      throw new UsageError(`--timezone "${defaultTimezone}" is not an IANA time zone`);

    const tree = await loadJobTree(positionals.length ? positionals : ["."], {
      policy,
      defaultTimezone,
      cwd: io.cwd,
    });
    const issues = sortIssues(values.strict ? tree.issues.map(asError) : tree.issues);
    const counts = countIssues(issues, tree.files.length);
    if (format === "json") io.stdout.write(renderJson(issues, counts));
    else if (format === "github") io.stdout.write(renderGithub(issues, io.cwd));
    else io.stdout.write(renderText(issues) + renderSummary(counts));
    return counts.errors > 0 ? 1 : 0;
  },
};

const asError = (issue: Issue): Issue =>
  issue.severity === "warning" ? { ...issue, severity: "error" } : issue;
