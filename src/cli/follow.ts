// Following a run's output from a running agent: GET /jobs/<name>/runs/<run>/log?follow=1 (or
// the job's /log), read as server-sent events and printed as the job wrote it — stdout lines on
// stdout, stderr lines on stderr — with every control character shown as `\xNN`: a job's output
// must not drive the terminal of whoever follows it.

import { EnvironmentError } from "../errors.js";
import { visible } from "../text/visible.js";
import {
  type AgentClient,
  authHeaders,
  field,
  unexpectedAnswer,
  unreachable,
} from "./agent-client.js";
import { type CliIO, writeLine } from "./command.js";

/** The agent knows no such job (or run): the agent's own words. */
export class UnknownJob extends EnvironmentError {}

export interface RunEnd {
  run: string;
  outcome: string;
  exitCode: number | null;
  reason: string | null;
  final: boolean;
}

export interface FollowHandlers {
  start?(run: string): void;
  line?(stream: "stdout" | "stderr", text: string): void;
  dropped?(lines: number): void;
  /** Return true to stop following. */
  end?(end: RunEnd): boolean | undefined;
}

/** Reads the stream until it ends, an `end` handler says stop, or the agent goes away (an
 * EnvironmentError: the output stopped before the run ended). */
export async function followLog(
  agent: AgentClient,
  path: string,
  handlers: FollowHandlers,
): Promise<void> {
  let res: globalThis.Response;
  try {
    res = await fetch(agent.url(path), {
      headers: { accept: "text/event-stream", ...authHeaders(agent) },
    });
  } catch (err) {
    throw unreachable(agent, err);
  }
  if (res.status !== 200) {
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the status alone decides.
    }
    if (res.status === 404 && field(body, "job") !== undefined)
      throw new UnknownJob(field(body, "error") ?? "not found");
    throw unexpectedAnswer(agent, { status: res.status, body }, "log");
  }
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) return;
  let pending = "";
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        throw new EnvironmentError(`the agent at ${agent.origin} closed the log before it ended`);
      }
      if (chunk.done) return;
      pending += chunk.value;
      for (let cut = pending.indexOf("\n\n"); cut >= 0; cut = pending.indexOf("\n\n")) {
        const block = pending.slice(0, cut);
        pending = pending.slice(cut + 2);
        if (dispatch(block, handlers)) return;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** One event block; true when following should stop. */
function dispatch(block: string, handlers: FollowHandlers): boolean {
  let name = "";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  if (!name || !data) return false;
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return false;
  }
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  switch (name) {
    case "start":
      handlers.start?.(str(e.run));
      return false;
    case "line":
      handlers.line?.(e.stream === "stderr" ? "stderr" : "stdout", str(e.text));
      return false;
    case "dropped":
      handlers.dropped?.(typeof e.lines === "number" ? e.lines : 0);
      return false;
    case "end":
      return (
        handlers.end?.({
          run: str(e.run),
          outcome: str(e.outcome),
          exitCode: typeof e.exitCode === "number" ? e.exitCode : null,
          reason: typeof e.reason === "string" ? e.reason : null,
          final: e.final === true,
        }) ?? false
      );
    default:
      return false;
  }
}

/** Lines printed as the job wrote them, made safe for a terminal. */
export function printLines(io: Pick<CliIO, "stdout" | "stderr">): FollowHandlers["line"] {
  return (stream, text) => writeLine(stream === "stderr" ? io.stderr : io.stdout, visible(text));
}

/** "run-1 failed, exit 3: reason" with the agent's text made safe for a terminal. */
export const describeEnd = (e: RunEnd) =>
  visible(
    `${e.run} ${e.outcome}${e.exitCode === null ? "" : `, exit ${e.exitCode}`}${e.reason ? `: ${e.reason}` : ""}`,
  );
