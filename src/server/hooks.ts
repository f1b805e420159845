// POST /hooks/git: a GitHub or GitLab push webhook starts a sync at once instead of at the
// next --interval. The secret proves the sender; neither it nor the signature is ever logged.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Logger } from "../log.js";
import type { Request, Response, Route } from "./http.js";

/** Push payloads of large monorepo merges stay well under this; anything bigger is not a hook. */
export const HOOK_MAX_BODY = 1024 * 1024;

/** Equality that takes the same time wherever the strings differ, and whatever their lengths:
 * both sides are hashed first, so timingSafeEqual always compares 32 bytes. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

const header = (req: Request, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

type Verdict =
  | { ok: true; provider: "github" | "gitlab"; event: string }
  | { ok: false; reason: string };

function verifyGitHub(req: Request, secret: string, signature: string): Verdict {
  const event = header(req, "x-github-event") ?? "unknown";
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match) return { ok: false, reason: "X-Hub-Signature-256 is not sha256=<hex>" };
  const expected = createHmac("sha256", secret).update(req.body).digest();
  const given = Buffer.from(match[1] as string, "hex");
  return timingSafeEqual(expected, given)
    ? { ok: true, provider: "github", event }
    : { ok: false, reason: "X-Hub-Signature-256 does not match the body and the secret" };
}

function verify(req: Request, secret: string): Verdict {
  const signature = header(req, "x-hub-signature-256");
  if (signature !== undefined) return verifyGitHub(req, secret, signature);
  const token = header(req, "x-gitlab-token");
  if (token !== undefined) {
    return constantTimeEqual(token, secret)
      ? { ok: true, provider: "gitlab", event: header(req, "x-gitlab-event") ?? "unknown" }
      : { ok: false, reason: "X-Gitlab-Token does not match the secret" };
  }
  return {
    ok: false,
    reason: "no X-Hub-Signature-256 (GitHub) or X-Gitlab-Token (GitLab) header",
  };
}

/** The branch a push went to and the repository's default branch, when the payload says. */
function pushOf(req: Request): { ref?: string; defaultBranch?: string } {
  try {
    const text = req.body.toString("utf8");
    // GitHub's other content type, application/x-www-form-urlencoded, wraps the JSON in `payload`.
    const json = /urlencoded/.test(header(req, "content-type") ?? "")
      ? new URLSearchParams(text).get("payload")
      : text;
    const payload = JSON.parse(json ?? "") as {
      ref?: unknown;
      repository?: { default_branch?: unknown };
      project?: { default_branch?: unknown };
    };
    const ref = typeof payload.ref === "string" ? payload.ref : undefined;
    const fallback = payload.repository?.default_branch ?? payload.project?.default_branch;
    return {
      ...(ref && { ref }),
      ...(typeof fallback === "string" && { defaultBranch: fallback }),
    };
  } catch {
    return {};
  }
}

/** Why a verified push needs no sync, or undefined when it does. A payload that cannot be
 * read always syncs: a needless fetch is cheap, a missed one is not. */
function ignoredBecause(req: Request, branch: string | undefined): string | undefined {
  const { ref, defaultBranch } = pushOf(req);
  if (!ref) return undefined;
  if (!ref.startsWith("refs/heads/")) return `${ref} is not a branch`;
  const watched = branch ?? defaultBranch;
  // The agent's own pushes to the status branch land here too.
  if (watched && ref !== `refs/heads/${watched}`) return `${ref} is not the watched branch`;
  return undefined;
}

export function hookRoutes(options: {
  secret: string;
  /** The agent's --branch; without it, the default branch the payload names. */
  branch?: string | undefined;
  /** Ask for a sync; the agent's sync loop merges a burst of requests into one sync. */
  onPush: () => void;
  logger: Logger;
}): Route[] {
  const { secret, onPush } = options;
  // An empty secret would make every unsigned GitLab request valid.
  if (secret.length === 0) throw new Error("hookRoutes needs a non-empty secret");
  const logger = options.logger.child({ endpoint: "/hooks/git" });

  const handle = (req: Request): Response => {
    const verdict = verify(req, secret);
    if (!verdict.ok) {
      logger.warn({ reason: verdict.reason }, "webhook refused");
      return { status: 401, body: { error: `webhook refused: ${verdict.reason}` } };
    }
    const delivery = header(req, "x-github-delivery") ?? header(req, "x-gitlab-event-uuid");
    const { provider, event } = verdict;
    // GitHub sends a ping when the hook is created: answer it, nothing changed in the repository.
    if (provider === "github" && event === "ping") {
      logger.info({ provider, delivery }, "webhook ping");
      return { status: 200, body: { ok: true, sync: false } };
    }
    const ignored = ignoredBecause(req, options.branch);
    if (ignored) {
      logger.debug({ provider, event, delivery, ignored }, "webhook: no sync needed");
      return { status: 200, body: { ok: true, sync: false, reason: ignored } };
    }
    onPush();
    logger.info({ provider, event, delivery }, "webhook: sync requested");
    return { status: 202, body: { ok: true, sync: true } };
  };

  return [{ method: "POST", pattern: "/hooks/git", maxBody: HOOK_MAX_BODY, handle }];
}
