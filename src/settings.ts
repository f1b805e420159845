// Agent settings: each a flag and a GITCRON_* variable (the flag wins), parsed once into a
// frozen object at start-up. The environment is read by the entry points alone (cli/main.ts,
// action/main.ts) and passed down: to the runtime, the logger, and every git (src/git/run.ts,
// which the source, the status branch, the lease and the Action share).

import { resolve } from "node:path";
import { UsageError } from "./errors.js";
import type { Policy } from "./jobs/policy.js";
import { policyFromSettings } from "./jobs/policy-settings.js";
import type { LogFormat } from "./log.js";
import { isTimeZone } from "./schedule/cron.js";
import { parseDuration } from "./text/duration.js";
import { checkPublicUrl } from "./text/page-links.js";

export interface AgentSettings {
  repo: string;
  branch: string | undefined;
  path: string;
  statusBranch: string;
  /** Where the status branch is pushed, when not to --repo (SPEC §10). */
  statusRepo: string | undefined;
  intervalMs: number;
  dataDir: string;
  listen: { host: string; port: number };
  runtime: "docker" | "swarm";
  timezone: string;
  policy: Policy;
  maxParallel: number;
  history: number;
  statusFlushMs: number;
  /** How long a leader's lease holds without a renewal (SPEC §3). */
  leaseMs: number;
  /** Ticks missed no longer ago than this at a restart are recorded, not notified. */
  restartGraceMs: number;
  /** Journal days the status branch keeps; null: forever (SPEC §10). */
  statusKeepMs: number | null;
  /** How often the status branch's views are written at most. */
  statusViewsMs: number;
  /** Bytes of log tail a succeeded run keeps on the status branch. */
  statusTailBytes: number;
  verifySignatures: string | undefined;
  /** A revision (7+ characters of it) whose removal of many jobs the operator confirmed. */
  allowPrune: string | undefined;
  webhookSecret: string | undefined;
  apiToken: string | undefined;
  logFormat: LogFormat;
  gitToken: string | undefined;
  gitTimeoutMs: number;
  /** URLs that receive notifications (SPEC §7). */
  notify: string[];
  notifySecret: string | undefined;
  /** The status page's address as people reach it (a proxy's): notifications and the status
   * README link to jobs' pages there. */
  publicUrl: string | undefined;
}

interface SettingDef {
  flag: string;
  env: string;
  default?: string;
  help: string;
  /** The flag may be given more than once; its variable is a comma-separated list. */
  multiple?: true;
}

export const AGENT_SETTINGS: readonly SettingDef[] = [
  {
    flag: "repo",
    env: "GITCRON_REPO",
    help: "Git URL (https, ssh, file) or local path; a plain folder is watched",
  },
  {
    flag: "branch",
    env: "GITCRON_BRANCH",
    help: "branch to follow (default: the remote's default branch)",
  },
  {
    flag: "path",
    env: "GITCRON_PATH",
    default: ".",
    help: "folder of job files inside the repository",
  },
  {
    flag: "status-branch",
    env: "GITCRON_STATUS_BRANCH",
    default: "gitcron-status",
    help: "branch that receives run summaries",
  },
  {
    flag: "status-repo",
    env: "GITCRON_STATUS_REPO",
    help: "Git URL or local repository for the status branch (default: --repo)",
  },
  { flag: "interval", env: "GITCRON_INTERVAL", default: "30s", help: "how often to fetch" },
  {
    flag: "data-dir",
    env: "GITCRON_DATA_DIR",
    default: "./.gitcron",
    help: "clone, outbox and state",
  },
  {
    flag: "listen",
    env: "GITCRON_LISTEN",
    default: "127.0.0.1:8080",
    help: "HTTP address for health, metrics, hooks",
  },
  { flag: "runtime", env: "GITCRON_RUNTIME", default: "docker", help: "docker or swarm" },
  {
    flag: "timezone",
    env: "GITCRON_TIMEZONE",
    default: "UTC",
    help: "zone of jobs that name none",
  },
  {
    flag: "secret-env",
    env: "GITCRON_SECRET_ENV",
    default: "SECRET_*",
    help: "agent variables fromEnv may read (comma-separated globs; {JOB} is the job)",
  },
  {
    flag: "max-parallel",
    env: "GITCRON_MAX_PARALLEL",
    default: "16",
    help: "runs of different jobs at once",
  },
  {
    flag: "history",
    env: "GITCRON_HISTORY",
    default: "100",
    help: "runs kept per job on the status branch",
  },
  {
    flag: "status-flush",
    env: "GITCRON_STATUS_FLUSH",
    default: "10s",
    help: "longest a finished run waits before it is pushed",
  },
  {
    flag: "lease",
    env: "GITCRON_LEASE",
    default: "60s",
    help: "how long the leading agent's lease holds unrenewed before a standby takes over (at least 3s)",
  },
  {
    flag: "restart-grace",
    env: "GITCRON_RESTART_GRACE",
    default: "0",
    help: "ticks missed during a restart this short are recorded on the status branch but not notified (e.g. 5m for planned upgrades)",
  },
  {
    flag: "status-keep",
    env: "GITCRON_STATUS_KEEP",
    default: "90d",
    help: "how long the status branch keeps runs (a duration, or forever)",
  },
  {
    flag: "status-views",
    env: "GITCRON_STATUS_VIEWS",
    default: "15m",
    help: "how often jobs/<name>.json and README.md are brought up to the journal (at least 1m)",
  },
  {
    flag: "status-tail",
    env: "GITCRON_STATUS_TAIL",
    default: "128",
    help: "bytes of output a succeeded run keeps on the status branch, 0-4096 (others keep 4096)",
  },
  { flag: "policy", env: "GITCRON_POLICY", default: "baseline", help: "baseline or restricted" },
  {
    flag: "verify-signatures",
    env: "GITCRON_VERIFY_SIGNATURES",
    help: "SSH allowed-signers file; unsigned revisions are not applied",
  },
  {
    flag: "allow-prune",
    env: "GITCRON_ALLOW_PRUNE",
    help: "a held revision (7+ characters of its SHA) that may remove all or most jobs, or lose --path",
  },
  { flag: "webhook-secret", env: "GITCRON_WEBHOOK_SECRET", help: "enables POST /hooks/git" },
  {
    flag: "api-token",
    env: "GITCRON_API_TOKEN",
    help: "enables POST /jobs/<name>/run and the status page's login (needed to show jobs beyond loopback)",
  },
  {
    flag: "allow-host-path",
    env: "GITCRON_ALLOW_HOST_PATH",
    help: "comma-separated host folders hostPath may name, exactly",
  },
  {
    flag: "allow-volume",
    env: "GITCRON_ALLOW_VOLUME",
    help: "comma-separated patterns of existing volumes jobs may mount",
  },
  {
    flag: "allow-label",
    env: "GITCRON_ALLOW_LABEL",
    help: "comma-separated patterns of label keys with a dotted prefix (traefik.*) jobs may set",
  },
  {
    flag: "git-timeout",
    env: "GITCRON_GIT_TIMEOUT",
    default: "60s",
    help: "a fetch or push silent this long is cut off",
  },
  {
    flag: "notify",
    env: "GITCRON_NOTIFY",
    help: "a URL told of failures, recoveries, late and missed runs (http(s)://, smtp(s)://); repeatable",
    multiple: true,
  },
  {
    flag: "notify-secret",
    env: "GITCRON_NOTIFY_SECRET",
    help: "signs notification bodies (X-Gitcron-Signature)",
  },
  {
    flag: "public-url",
    env: "GITCRON_PUBLIC_URL",
    help: "the status page's address as people reach it: notifications and the status README link to each job's page and run there",
  },
  { flag: "log-format", env: "GITCRON_LOG_FORMAT", default: "json", help: "json or pretty" },
];

export function settingsHelp(): string {
  return AGENT_SETTINGS.map((s) => {
    const def = s.default ? ` (default ${s.default})` : "";
    return `  --${s.flag.padEnd(18)} ${s.env.padEnd(26)} ${s.help}${def}`;
  }).join("\n");
}

export const flagOptions = () =>
  Object.fromEntries(
    AGENT_SETTINGS.map((s) => [
      s.flag,
      s.multiple ? { type: "string" as const, multiple: true } : { type: "string" as const },
    ]),
  );

/** A list variable: comma-separated, where a comma starts a new item only before another URL
 * (an smtp URL's `to=a,b` keeps its commas). */
const splitUrls = (text: string): string[] =>
  text
    .split(/,(?=\s*[a-z][a-z0-9+.-]*:\/\/)/i)
    .map((s) => s.trim())
    .filter(Boolean);

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number above 0, not "${v}"`);
  return n;
}

function duration(name: string, v: string): number {
  try {
    const ms = parseDuration(v);
    if (ms <= 0) throw new Error("zero");
    return ms;
  } catch {
    throw new UsageError(`--${name} must be a duration such as 30s, 5m or 1h30m, not "${v}"`);
  }
}

/** --status-keep: a duration of whole days at least, since journal folders are days. */
function keep(v: string): number {
  const ms = duration("status-keep", v);
  if (ms < 86_400_000)
    throw new UsageError(`--status-keep must be a day or more (e.g. 90d), or forever, not "${v}"`);
  return ms;
}

function atLeast(name: string, ms: number, least: number): number {
  if (ms < least)
    throw new UsageError(
      `--${name} must be at least ${least / 1000}s (GitHub asks for few pushes)`,
    );
  return ms;
}

function tailBytes(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 4096)
    throw new UsageError(`--status-tail must be a number of bytes from 0 to 4096, not "${v}"`);
  return n;
}

function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, not "${v}"`);
  }
  return v as T;
}

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v);
  const port = Number(m?.[3]);
  if (!m || port > 65535)
    throw new UsageError(`--listen must be HOST:PORT such as 127.0.0.1:8080, not "${v}"`);
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

/** Merges flags over environment over defaults; throws UsageError with one sentence. */
export function resolveSettings(
  flags: Readonly<Record<string, string | boolean | string[] | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Readonly<AgentSettings> {
  const get = (flag: string): string | undefined => {
    const def = AGENT_SETTINGS.find((s) => s.flag === flag);
    const fromFlag = flags[flag];
    if (typeof fromFlag === "string") return fromFlag;
    const fromEnv = def ? env[def.env] : undefined;
    return fromEnv !== undefined && fromEnv !== "" ? fromEnv : def?.default;
  };
  const must = (flag: string) => get(flag) as string;
  const repo = get("repo");
  if (!repo)
    throw new UsageError("--repo (or GITCRON_REPO) is required: a Git URL or a local folder");
  const timezone = must("timezone");
  if (!isTimeZone(timezone))
    throw new UsageError(
      `--timezone must be an IANA zone such as Europe/Amsterdam, not "${timezone}"`,
    );
  const isUrl = (v: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^[^/]+@[^:]+:/.test(v);
  const statusRepo = get("status-repo");
  const publicUrl = get("public-url");
  const checked = publicUrl === undefined ? undefined : checkPublicUrl(publicUrl);
  if (checked && "error" in checked) throw new UsageError(`--public-url ${checked.error}`);
  return Object.freeze({
    repo: isUrl(repo) ? repo : resolve(cwd, repo),
    branch: get("branch"),
    path: must("path"),
    statusBranch: must("status-branch"),
    statusRepo: statusRepo && !isUrl(statusRepo) ? resolve(cwd, statusRepo) : statusRepo,
    intervalMs: duration("interval", must("interval")),
    dataDir: resolve(cwd, must("data-dir")),
    listen: parseListen(must("listen")),
    runtime: oneOf("runtime", must("runtime"), ["docker", "swarm"] as const),
    timezone,
    policy: policyFromSettings({
      level: get("policy"),
      secretEnv: get("secret-env"),
      allowHostPath: get("allow-host-path"),
      allowVolume: get("allow-volume"),
      allowLabel: get("allow-label"),
    }),
    maxParallel: positiveInt("max-parallel", must("max-parallel")),
    history: positiveInt("history", must("history")),
    statusFlushMs: duration("status-flush", must("status-flush")),
    leaseMs: atLeast("lease", duration("lease", must("lease")), 3_000),
    restartGraceMs: /^0[a-z]*$/.test(must("restart-grace"))
      ? 0
      : duration("restart-grace", must("restart-grace")),
    statusKeepMs: must("status-keep") === "forever" ? null : keep(must("status-keep")),
    statusViewsMs: atLeast("status-views", duration("status-views", must("status-views")), 60_000),
    statusTailBytes: tailBytes(must("status-tail")),
    verifySignatures: get("verify-signatures"),
    allowPrune: get("allow-prune"),
    webhookSecret: get("webhook-secret"),
    apiToken: get("api-token"),
    logFormat: oneOf<LogFormat>("log-format", must("log-format"), ["json", "pretty"]),
    gitToken: env.GITCRON_GIT_TOKEN || undefined,
    gitTimeoutMs: duration("git-timeout", must("git-timeout")),
    notify: Array.isArray(flags.notify)
      ? flags.notify
      : env.GITCRON_NOTIFY
        ? splitUrls(env.GITCRON_NOTIFY)
        : [],
    notifySecret: get("notify-secret"),
    publicUrl: checked?.url,
  });
}
