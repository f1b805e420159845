// Where notifications go (SPEC §7): `--notify URL`, repeatable. http(s):// receives a POST of the
// JSON body, signed with --notify-secret; smtp:// and smtps:// send a mail through nodemailer.
// URL credentials never reach a log: each target is shown without them.

import { createHash, createHmac } from "node:crypto";
import { sanitize, UsageError } from "../errors.js";
import { mailOf, type NotificationBody } from "./message.js";

export type TargetKind = "http" | "smtp";

export interface Target {
  kind: TargetKind;
  /** The URL as given; it may hold credentials, so it is never logged. */
  url: string;
  /** Scheme and host only, for logs and errors: a webhook's path is often its secret. */
  shown: string;
  /** Stable across restarts for the same URL: queued notifications name their target by it. */
  key: string;
  /** smtp: the sender and the recipients, from ?from=…&to=a,b. */
  from?: string;
  to?: string[];
}

const DELIVERY_TIMEOUT_MS = 15_000;

export function parseTargets(urls: readonly string[]): Target[] {
  return urls.map((raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UsageError(`--notify "${sanitize(raw)}" is not a URL`);
    }
    const shown = `${url.protocol}//${url.host}`;
    const key = createHash("sha256").update(raw).digest("hex").slice(0, 12);
    if (url.protocol === "http:" || url.protocol === "https:")
      return { kind: "http", url: raw, shown, key };
    if (url.protocol === "smtp:" || url.protocol === "smtps:") {
      const from = url.searchParams.get("from") ?? "";
      const to = (url.searchParams.get("to") ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean);
      if (!from || to.length === 0)
        throw new UsageError(
          `--notify ${shown} needs ?from=ADDRESS&to=ADDRESS[,ADDRESS] to know who sends and who receives`,
        );
      return { kind: "smtp", url: raw, shown, key, from, to };
    }
    throw new UsageError(
      `--notify ${shown}: only http://, https://, smtp:// and smtps:// are supported`,
    );
  });
}

/** `sha256=<hex>` of the body with the secret, as GitHub signs its webhooks. */
export const signatureOf = (body: string, secret: string): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/** Sends one notification; rejects with one sentence (no credentials) when it did not arrive.
 * `body` is the JSON text, already redacted. */
export async function deliver(
  target: Target,
  json: string,
  options: { secret?: string | undefined },
): Promise<void> {
  if (target.kind === "http") {
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "gitcron",
          ...(options.secret && { "x-gitcron-signature": signatureOf(json, options.secret) }),
        },
        body: json,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const why =
        (err as Error).name === "TimeoutError"
          ? "no answer in 15s"
          : (cause ?? (err as Error).message);
      throw new Error(`${target.shown}: ${sanitize(String(why))}`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`${target.shown}: HTTP ${res.status}`);
    return;
  }
  const { createTransport } = await import("nodemailer");
  const server = new URL(target.url);
  const secure = server.protocol === "smtps:";
  const transport = createTransport({
    host: server.hostname,
    port: Number(server.port) || (secure ? 465 : 587),
    secure,
    ...(server.username && {
      auth: {
        user: decodeURIComponent(server.username),
        pass: decodeURIComponent(server.password),
      },
    }),
    connectionTimeout: DELIVERY_TIMEOUT_MS,
    greetingTimeout: DELIVERY_TIMEOUT_MS,
    socketTimeout: DELIVERY_TIMEOUT_MS,
  });
  const mail = mailOf(JSON.parse(json) as NotificationBody);
  try {
    await transport.sendMail({
      from: target.from,
      to: target.to,
      subject: mail.subject,
      text: mail.text,
    });
  } catch (err) {
    throw new Error(`${target.shown}: ${sanitize((err as Error).message.split("\n")[0] ?? "")}`);
  } finally {
    transport.close();
  }
}
