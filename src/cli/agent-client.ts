// Talking to a running agent's HTTP side, for the commands that act on one (trigger, stop):
// where it is, its token, one request with a deadline, and the answers every command reads the
// same way.

import { EnvironmentError, oneLine, sanitize, UsageError } from "../errors.js";
import { DNS_LABEL } from "../jobs/rules.js";
import { visible } from "../text/visible.js";
import { type CliIO, parseFlags, writeLine } from "./command.js";

export const DEFAULT_URL = "http://127.0.0.1:8080";
const TIMEOUT_MS = 10_000;

export const AGENT_FLAGS = {
  url: { type: "string" },
  "api-token": { type: "string" },
  token: { type: "string" },
} as const;

export const AGENT_FLAGS_HELP = `  --url URL       the agent's address (env GITCRON_URL; default ${DEFAULT_URL})
  --api-token TOKEN  the agent's --api-token (env GITCRON_API_TOKEN, as for the agent;
                  prefer the variable: a flag shows in the process list). --token is the
                  same flag. Not needed for an agent without one that listens on loopback.`;

export interface AgentClient {
  /** The agent's origin, for messages. */
  origin: string;
  /** The endpoint under the agent's URL (`jobs/x/run`). */
  url(path: string): URL;
  token: string | undefined;
}

function agentUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url "${sanitize(raw)}" is not a URL such as ${DEFAULT_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--url must be http:// or https://, not ${url.protocol}//`);
  return url;
}

/** The one JOB positional, and the agent from the flags and the environment. */
export function jobAndAgent(
  values: {
    url?: string | undefined;
    "api-token"?: string | undefined;
    token?: string | undefined;
  },
  positionals: string[],
  io: Pick<CliIO, "env">,
): { job: string; agent: AgentClient } {
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "give a JOB name" : "give exactly one JOB");
  const job = positionals[0] as string;
  if (!DNS_LABEL.test(job)) throw new UsageError(`"${job}" is not a job name (a DNS label)`);
  const token = values["api-token"] ?? values.token ?? (io.env.GITCRON_API_TOKEN || undefined);
  const base = agentUrl(values.url ?? io.env.GITCRON_URL ?? DEFAULT_URL);
  const root = base.href.endsWith("/") ? base : new URL(`${base.href}/`);
  return {
    job,
    agent: { origin: sanitize(base.origin), url: (path) => new URL(path, root), token },
  };
}

export const authHeaders = (agent: AgentClient): Record<string, string> =>
  agent.token ? { authorization: `Bearer ${agent.token}` } : {};

/** A fetch error as one sentence that names the agent. */
export function unreachable(agent: AgentClient, err: unknown, timeoutMs = TIMEOUT_MS): Error {
  const cause = (err as { cause?: { code?: string } }).cause;
  const why =
    (err as Error).name === "TimeoutError"
      ? `no answer within ${timeoutMs / 1000}s`
      : (cause?.code ?? oneLine(err));
  return new EnvironmentError(`cannot reach the agent at ${agent.origin}: ${why}`);
}

export async function post(
  agent: AgentClient,
  path: string,
): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(agent.url(path), {
      method: "POST",
      headers: authHeaders(agent),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): the status alone decides.
    }
    return { status: res.status, body };
  } catch (err) {
    throw unreachable(agent, err);
  }
}

/** A string field of the agent's answer, its control characters shown as `\xNN`: what a proxy
 * or another server at that address sends must not drive the terminal. */
export const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | null)?.[name];
  return typeof value === "string" ? visible(value) : undefined;
};

/** The answers that end every command the same way: a refused token, no such endpoint, or
 * anything else unexpected. `endpoint` names what was missing ("run-now"). */
export function unexpectedAnswer(
  agent: AgentClient,
  answer: { status: number; body: unknown },
  endpoint: string,
): Error {
  const { status, body } = answer;
  const reason = field(body, "error");
  if (status === 401)
    return new EnvironmentError(
      agent.token
        ? `the agent refused the token (401): ${reason ?? "check --api-token or GITCRON_API_TOKEN"}`
        : "the agent needs its API token (401): give --api-token or GITCRON_API_TOKEN",
    );
  if (status === 404 || status === 405)
    return new EnvironmentError(
      `the agent at ${agent.origin} has no ${endpoint} endpoint: start it with --api-token, or with --listen on loopback`,
    );
  return new EnvironmentError(`the agent answered HTTP ${status}${reason ? `: ${reason}` : ""}`);
}

/** `gitcron <command> JOB [--url] [--api-token]`: POST /jobs/<JOB>/<action>. Accepted (202):
 * the run id on stdout, and `note` (what the agent did, if worth saying) on stderr, exit 0. The
 * agent's reason on stderr for an unknown job or a refusal about the job (404/409 naming it; the
 * router's own 404 names none), exit 1. Else the error to throw. */
export async function runJobAction(
  argv: string[],
  io: Pick<CliIO, "env" | "stdout" | "stderr">,
  options: {
    command: string;
    action: string;
    endpoint: string;
    note?: (body: unknown) => string | undefined;
    /** More flags of the command, handed to `accepted`. */
    flags?: Record<string, { type: "boolean" | "string" }>;
    /** The path under /jobs/<JOB>/ (default `action`): `pause?for=2h`. */
    path?: (values: Record<string, string | boolean | undefined>) => string;
    /** What an accepted answer prints on stdout (default: the run id). */
    printed?: (body: unknown) => string | undefined;
    /** Whether stdout is the job's own output (--follow): the run id goes to stderr then. */
    stdoutIsOutput?: (values: Record<string, string | boolean | undefined>) => boolean;
    /** After the run id is printed: the exit code (default 0). */
    accepted?: (ctx: {
      job: string;
      run: string;
      agent: AgentClient;
      values: Record<string, string | boolean | undefined>;
    }) => Promise<number>;
  },
): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...AGENT_FLAGS, ...options.flags });
  const { job, agent } = jobAndAgent(
    values as { url?: string; "api-token"?: string; token?: string },
    positionals,
    io,
  );
  const answer = await post(agent, `jobs/${job}/${options.path?.(values) ?? options.action}`);
  const { status, body } = answer;
  if (status === 200 || status === 202) {
    const run = field(body, "run") ?? "";
    const printed = options.printed ? options.printed(body) : run;
    if (options.stdoutIsOutput?.(values))
      writeLine(io.stderr, `gitcron ${options.command}: run ${run}`);
    else if (printed !== undefined) writeLine(io.stdout, printed);
    const note = options.note?.(body);
    if (note) writeLine(io.stderr, `gitcron ${options.command}: ${note}.`);
    return options.accepted ? options.accepted({ job, run, agent, values }) : 0;
  }
  if ((status === 404 || status === 409) && field(body, "job") !== undefined) {
    writeLine(
      io.stderr,
      `gitcron ${options.command}: ${field(body, "error") ?? `HTTP ${status}`}.`,
    );
    return 1;
  }
  throw unexpectedAnswer(agent, answer, options.endpoint);
}
