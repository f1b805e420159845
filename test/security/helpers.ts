// What the security suite looks at from outside the agent: canary secrets in the agent's
// environment, every place they must never reach (each commit and file of the status branch,
// every line the agent printed, every HTTP answer), and what every container of a test mounted
// (from the engine's own events and `docker inspect`, not from the agent).

import { randomBytes } from "node:crypto";
import type Dockerode from "dockerode";
import { LABEL } from "../../src/runtime/names.js";
import type { AgentProcess } from "../faults/helpers/agent-process.js";
import { git } from "../helpers/git.js";

/** Secrets an attacker wants: one of each kind the agent holds. */
export function canaries() {
  const mark = (what: string) => `canary-${what}-${randomBytes(6).toString("hex")}`;
  const values = {
    apiToken: mark("api"),
    webhookSecret: mark("hook"),
    gitToken: mark("git"),
    secretEnv: mark("secret"),
  };
  return {
    values,
    /** The agent's environment holding them. */
    env: {
      GITCRON_API_TOKEN: values.apiToken,
      GITCRON_WEBHOOK_SECRET: values.webhookSecret,
      GITCRON_GIT_TOKEN: values.gitToken,
      SECRET_OTHER_JOB_KEY: values.secretEnv,
    },
    all: Object.values(values),
  };
}

/** Every line ever committed to the status branch (each commit's message and patch, from its
 * first commit), as one text. */
export async function statusBranchHistory(remoteDir: string, branch = "gitcron-status") {
  try {
    return await git(remoteDir, "log", "-p", "--format=%H%n%B", branch);
  } catch {
    return "";
  }
}

/** The bodies of the agent's HTTP answers on `paths`, with and without `token`. */
export async function httpAnswers(port: number, paths: readonly string[], token?: string) {
  const bodies: string[] = [];
  for (const path of paths) {
    // As a script asks (JSON), and as a browser does (the status page's HTML).
    const variants: Record<string, string>[] = [{}, { accept: "text/html" }];
    if (token)
      variants.push(
        { authorization: `Bearer ${token}` },
        { authorization: `Bearer ${token}`, accept: "text/html" },
      );
    for (const headers of variants) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
      bodies.push(`${res.status} ${path}\n${await res.text()}`);
    }
  }
  return bodies.join("\n");
}

/** The server-sent events of /events (every page's stream, and one job's), as the status page
 * receives them, from now until `stop()`: rows are sent only while a page is open. */
export async function watchEvents(port: number, token: string, job: string) {
  const received: string[] = [];
  const stop = new AbortController();
  const streams = await Promise.all(
    ["/events", `/events?job=${encodeURIComponent(job)}`].map(async (path) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: stop.signal,
      });
      if (res.status !== 200 || !res.body) throw new Error(`${path}: ${res.status}`);
      const decoder = new TextDecoder();
      // Wrapped: an async function returning the reading promise would wait for it to end.
      return {
        reading: (async () => {
          try {
            for await (const chunk of res.body as AsyncIterable<Uint8Array>)
              received.push(decoder.decode(chunk, { stream: true }));
          } catch {
            // Aborted by stop().
          }
        })(),
      };
    }),
  );
  return {
    text: () => received.join(""),
    async stop() {
      stop.abort();
      await Promise.all(streams.map((s) => s.reading));
    },
  };
}

/** Which canaries appear where: `{}` when none leaked. */
export async function leaks(
  secrets: readonly string[],
  where: {
    remoteDir: string;
    agent: AgentProcess;
    port?: number;
    token?: string;
    /** Jobs whose own pages (JSON and HTML) are read too. */
    jobs?: readonly string[];
    /** What /events sent (watchEvents). */
    events?: { text(): string };
  },
): Promise<Record<string, string[]>> {
  const places: Record<string, string> = {
    "status branch": await statusBranchHistory(where.remoteDir),
    "agent output": where.agent.output(),
    ...(where.events && { "/events": where.events.text() }),
  };
  if (where.port !== undefined) {
    places.http = await httpAnswers(
      where.port,
      [
        "/",
        "/jobs",
        ...(where.jobs ?? []).map((job) => `/jobs/${encodeURIComponent(job)}`),
        "/metrics",
        "/healthz",
        "/readyz",
        "/nope",
      ],
      where.token,
    );
  }
  const found: Record<string, string[]> = {};
  for (const [place, text] of Object.entries(places)) {
    const hits = secrets.filter((s) => text.includes(s));
    if (hits.length > 0) found[place] = hits;
  }
  return found;
}

export interface MountRecord {
  name: string;
  job: string;
  mounts: { type: string; source: string; name?: string; destination: string }[];
  labels: Record<string, string>;
}

/** Records the mounts and labels of every container created for a job whose name starts with `prefix`,
 * from the engine's event stream, inspected the moment it is created. `stop()` throws when a
 * container could not be inspected (gone before it was looked at): a watch that missed one
 * cannot say what it mounted. */
export async function watchMounts(docker: Dockerode, prefix: string) {
  const seen: MountRecord[] = [];
  const missed: string[] = [];
  const pending: Promise<unknown>[] = [];
  const events = (await docker.getEvents({
    filters: { type: ["container"], event: ["create"], label: [LABEL.job] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  let buffered = "";
  events.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines.filter(Boolean)) {
      const event = JSON.parse(line) as {
        id: string;
        Actor?: { Attributes?: Record<string, string> };
      };
      const job = event.Actor?.Attributes?.[LABEL.job] ?? "";
      if (!job.startsWith(prefix)) continue;
      pending.push(
        docker
          .getContainer(event.id)
          .inspect()
          .then((info) =>
            seen.push({
              name: info.Name.replace(/^\//, ""),
              job,
              mounts: (info.Mounts ?? []).map((m) => ({
                type: m.Type,
                source: m.Source,
                ...(m.Name && { name: m.Name }),
                destination: m.Destination,
              })),
              labels: info.Config.Labels ?? {},
            }),
          )
          .catch((err: Error) => missed.push(`${job} ${event.id.slice(0, 12)}: ${err.message}`)),
      );
    }
  });
  return {
    async stop(): Promise<MountRecord[]> {
      await new Promise((r) => setTimeout(r, 200));
      events.destroy();
      await Promise.all(pending);
      if (missed.length > 0) throw new Error(`containers not inspected: ${missed.join("; ")}`);
      return seen;
    },
  };
}
