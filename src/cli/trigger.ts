// `gitcron trigger JOB`: ask a running agent for a manual run over POST /jobs/<name>/run.

import { EnvironmentError, oneLine, sanitize, UsageError } from "../errors.js";
import { DNS_LABEL } from "../jobs/rules.js";
import type { TickAction } from "../scheduler/events.js";
import { type Command, parseFlags, writeLine } from "./command.js";

const DEFAULT_URL = "http://127.0.0.1:8080";
const TIMEOUT_MS = 10_000;

const help = `Usage: gitcron trigger JOB [--url URL] [--api-token TOKEN]

Ask a running agent to run JOB now. The run honours the job's overlap: with queue it waits
for a running run, with replace it stops it, with skip it is refused while one is going.
Prints the run id on stdout.

Flags:
  --url URL       the agent's address (env GITCRON_URL; default ${DEFAULT_URL})
  --api-token TOKEN  the agent's --api-token (env GITCRON_API_TOKEN, as for the agent;
                  prefer the variable: a flag shows in the process list). --token is the
                  same flag. Not needed for an agent without one that listens on loopback.

Exit codes: 0 the run was accepted, 1 no such job or a run is going (overlap: skip),
2 bad flag, the token was refused, or the agent cannot be reached.
`;

/** What the agent did with the request, when it is more than "started". */
const actionNotes: Partial<Record<TickAction, string>> = {
  queued: "queued: it starts when the running run ends",
  merged: "merged into the run already queued behind the running run",
  replacing: "the running run is being stopped; this run starts when it has ended",
  "waiting-slot": "waiting for a free slot (the agent's --max-parallel)",
};

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

async function post(
  url: URL,
  token: string | undefined,
): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: token ? { authorization: `Bearer ${token}` } : {},
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
    const cause = (err as { cause?: { code?: string } }).cause;
    const why =
      (err as Error).name === "TimeoutError"
        ? `no answer within ${TIMEOUT_MS / 1000}s`
        : (cause?.code ?? oneLine(err));
    throw new EnvironmentError(`cannot reach the agent at ${sanitize(url.origin)}: ${why}`);
  }
}

const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | null)?.[name];
  return typeof value === "string" ? value : undefined;
};

export const command: Command = {
  name: "trigger",
  summary: "ask a running agent to run a job now",
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      url: { type: "string" },
      "api-token": { type: "string" },
      token: { type: "string" },
    });
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? "give a JOB name" : "give exactly one JOB");
    const job = positionals[0] as string;
    if (!DNS_LABEL.test(job)) throw new UsageError(`"${job}" is not a job name (a DNS label)`);
    const token = values["api-token"] ?? values.token ?? (io.env.GITCRON_API_TOKEN || undefined);
    const base = agentUrl(values.url ?? io.env.GITCRON_URL ?? DEFAULT_URL);
    const endpoint = new URL(`jobs/${job}/run`, base.href.endsWith("/") ? base : `${base.href}/`);

    const { status, body } = await post(endpoint, token);
    const reason = field(body, "error");
    switch (status) {
      case 202: {
        writeLine(io.stdout, field(body, "run") ?? "");
        const note = actionNotes[field(body, "action") as TickAction];
        if (note) writeLine(io.stderr, `gitcron trigger: ${note}.`);
        return 0;
      }
      case 404:
      case 409:
        // The route answers for a job it knows of; the router's plain 404 means no route.
        if (field(body, "job") === undefined) break;
        writeLine(io.stderr, `gitcron trigger: ${reason ?? `HTTP ${status}`}.`);
        return 1;
      case 401:
        throw new EnvironmentError(
          token
            ? `the agent refused the token (401): ${reason ?? "check --api-token or GITCRON_API_TOKEN"}`
            : "the agent needs its API token (401): give --api-token or GITCRON_API_TOKEN",
        );
    }
    if (status === 404 || status === 405)
      throw new EnvironmentError(
        `the agent at ${sanitize(base.origin)} has no run-now endpoint: start it with --api-token, or with --listen on loopback`,
      );
    throw new EnvironmentError(`the agent answered HTTP ${status}${reason ? `: ${reason}` : ""}`);
  },
};
