// `gitcron import FILE...`: a crontab, Ofelia's INI or labels, or Kubernetes CronJobs → one job
// file each, judged as `gitcron validate` judges them, with a comment on every setting that has no
// equivalent.

import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";
import {
  finishDrafts,
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportOptions,
  readInput,
} from "../import/convert.js";
import type { Draft } from "../import/draft.js";
import type { Issue } from "../jobs/issues.js";
import { renderText, sortIssues } from "../jobs/render.js";
import { isTimeZone } from "../schedule/cron.js";
import { type CliIO, type Command, parseFlags, writeLine } from "./command.js";
import { POLICY_FLAGS, policyFromFlags } from "./policy-flags.js";

const help = `Usage: gitcron import FILE... [--out DIR | --stdout] [flags]

Convert another scheduler's jobs into gitcron job files, one file per job (<name>.yaml),
each checked as \`gitcron validate\` checks it. Every setting with no gitcron equivalent
gets a comment in the file saying so and what to do. FILE - reads standard input.

Formats (detected; --from to choose):
  crontab      supercronic's crontab: five fields, six (a year last), seven (seconds
               first, a year last) or a macro, then the command; NAME=value lines are
               the environment of the jobs below them, SHELL runs the command, CRON_TZ
               is the zone. Needs --image: a crontab names none.
  ofelia       Ofelia's INI file ([job-run "name"] sections) or its labels
               (ofelia.job-run.<name>.<param>) in a Compose file, \`docker inspect\`
               output or a mapping. job-exec and job-local have no equivalent: refused.
  kubernetes   CronJob manifests (batch/v1), several documents or a List; the first
               container of each; other kinds are left aside.

Flags:
  -o, --out DIR        folder the job files are written to (default .; created)
  --stdout             print the job files instead, each after a "---" line
  --force              overwrite job files that exist (default: refuse, write nothing)
  --image IMAGE        the image a crontab's commands run in
  --timezone TZ        write timezone: TZ where the source names no zone (the zone the
                       scheduler ran in: supercronic's and Ofelia's TZ, Kubernetes'
                       kube-controller-manager's)
  --from FORMAT        crontab, ofelia or kubernetes
  --secret-env, --allow-host-path, --allow-volume, --allow-label, --policy
                       the agent's policy, as for \`gitcron validate\`: files are checked
                       against it (a host folder the source mounts is allowed in the check,
                       and its comment names the --allow-host-path the agent needs)

Exit codes: 0 every job imported, 1 a job could not be converted (the others are
written; each refusal names file:line), 2 bad flag, unreadable file or a job file
that exists.
`;

export const command: Command = {
  name: "import",
  summary: "convert a crontab, Ofelia's config or Kubernetes CronJobs into job files",
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      out: { type: "string", short: "o" },
      stdout: { type: "boolean" },
      force: { type: "boolean" },
      image: { type: "string" },
      from: { type: "string" },
      ...POLICY_FLAGS,
    });
    if (positionals.length === 0) throw new UsageError("give the files to import");
    if (values.stdout && values.out !== undefined)
      throw new UsageError("--out and --stdout exclude each other");
    const from = values.from as ImportFormat | undefined;
    if (from !== undefined && !IMPORT_FORMATS.includes(from))
      throw new UsageError(`--from must be ${IMPORT_FORMATS.join(", ")}, not "${values.from}"`);
    if (values.timezone !== undefined && !isTimeZone(values.timezone))
      throw new UsageError(`--timezone "${values.timezone}" is not an IANA time zone`);
    const policy = policyFromFlags(values, io.env);
    const options: ImportOptions = {
      ...(values.image !== undefined && { image: values.image }),
      ...(values.timezone !== undefined && { timezone: values.timezone }),
      ...(from && { from }),
    };

    const drafts: Draft[] = [];
    const issues: Issue[] = [];
    for (const input of positionals) {
      const { text, shown } = await readSource(input, io);
      const parsed = readInput(text, shown, options);
      drafts.push(...parsed.drafts);
      issues.push(...parsed.issues);
      if (parsed.drafts.length === 0 && !parsed.issues.some((i) => i.severity === "error")) {
        issues.push({
          file: shown,
          line: 1,
          col: 1,
          severity: "error",
          rule: "import.empty",
          message: "no jobs found",
        });
      }
    }
    const { jobs, issues: judged } = finishDrafts(drafts, policy);
    issues.push(...judged);
    io.stderr.write(renderText(sortIssues(issues)));
    const failed = issues.filter((i) => i.severity === "error").length;

    if (values.stdout) {
      for (const job of jobs) io.stdout.write(`---\n# ${job.name}.yaml\n${job.text}`);
    } else {
      const out = path.resolve(io.cwd, values.out ?? ".");
      const targets = jobs.map((job) => ({ job, file: path.join(out, `${job.name}.yaml`) }));
      const existing = targets.filter((t) => existsSync(t.file)).map((t) => shownPath(io, t.file));
      if (existing.length > 0 && !values.force) {
        io.stderr.write(
          `gitcron import: ${existing.join(", ")} ${existing.length === 1 ? "exists" : "exist"}; nothing written: pass --force to overwrite, or --out another folder\n`,
        );
        return 2;
      }
      await mkdir(out, { recursive: true });
      for (const { job, file } of targets) {
        await writeFile(file, job.text, { flag: values.force ? "w" : "wx" });
        writeLine(
          io.stdout,
          `${shownPath(io, file)} ← ${job.source.file}:${job.source.at.line} ${job.source.what}`,
        );
      }
    }
    const summary = `${jobs.length} job${jobs.length === 1 ? "" : "s"} imported, ${failed} not`;
    writeLine(values.stdout ? io.stderr : io.stdout, summary);
    return failed > 0 ? 1 : 0;
  },
};

async function readSource(input: string, io: CliIO): Promise<{ text: string; shown: string }> {
  if (input === "-") return { text: await readStdin(), shown: "<stdin>" };
  const file = path.resolve(io.cwd, input);
  const kind = await stat(file).then(
    (s) => (s.isFile() ? "file" : "other"),
    () => "missing",
  );
  if (kind === "missing") throw new UsageError(`${input}: no such file`);
  if (kind === "other") throw new UsageError(`${input} is not a file`);
  return { text: await readFile(file, "utf8"), shown: input };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const shownPath = (io: CliIO, file: string): string => path.relative(io.cwd, file) || file;
