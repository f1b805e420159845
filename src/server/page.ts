// The status page's routes (SPEC §8): GET / and the page of one job for browsers, the token
// form (POST /login, POST /logout) and the stylesheet and script. Who may see what is the same
// as for /jobs (SPEC §4): a refusal is the token form or a page that says why, and never shows a
// job.

import { readAsset } from "../page/assets.js";
import { indexPage, jobPage, loginPage, messagePage } from "../page/render.js";
import type { PageSource } from "../page/source.js";
import { type Access, header, isSameOrigin } from "./auth.js";
import { PAGE_HEADERS, type Request, type Response, type Route } from "./http.js";
import { createLoginLimit } from "./login-limit.js";
import { peerKey } from "./peer.js";
import { clearedCookie, cookieOf, SESSION_COOKIE, sessionCookie } from "./sessions.js";

/** Where to go after logging in: a path on this agent, never another host (`//evil`, `/\evil`,
 * `https://…`), else `/`. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !/^\/(?![/\\])[^\s\\\p{Cc}]*$/u.test(next)) return "/";
  return next;
}

const isSecure = (req: Request) =>
  header(req, "x-forwarded-proto")?.split(",")[0]?.trim() === "https";

const pathWithQuery = (req: Request) => {
  const q = req.query.toString();
  return q ? `${req.path}?${q}` : req.path;
};

/** What a browser sees instead of a page it may not see: never a job. */
export function refusalPage(refused: Response, req: Request): Response {
  if (refused.status === 401)
    return { status: 401, body: loginPage({ next: safeNext(pathWithQuery(req)) }) };
  const error = (refused.body as { error?: string } | undefined)?.error ?? "not allowed";
  return { status: refused.status, body: messagePage("Not shown here", error) };
}

export interface PageHandlers {
  index(req: Request): Promise<Response>;
  job(req: Request): Promise<Response>;
}

export function pageHandlers(options: {
  source: PageSource;
  access: Access;
  now?: () => Date;
}): PageHandlers {
  const { source, access } = options;
  const now = options.now ?? (() => new Date());
  return {
    async index(req) {
      const refused = access.read(req);
      if (refused) return refusalPage(refused, req);
      return { status: 200, body: indexPage(await source.page(now())) };
    },
    async job(req) {
      const refused = access.read(req);
      if (refused) return refusalPage(refused, req);
      const model = await source.job(req.params.name ?? "", now());
      if (!model) return { status: 404, body: messagePage("No such job", "No job has that name.") };
      return { status: 200, body: jobPage(model) };
    },
  };
}

const FORM_MAX = 8 * 1024;

export function pageRoutes(options: {
  source: PageSource;
  access: Access;
  now?: () => Date;
}): Route[] {
  const { access } = options;
  const handlers = pageHandlers(options);
  const clock = () => options.now?.().getTime() ?? Date.now();
  const loginLimit = createLoginLimit();
  const asset = (name: "page.css" | "page.js", type: string): Route => {
    const text = readAsset(name);
    return {
      method: "GET",
      pattern: `/assets/${name}`,
      handle: () => ({
        status: 200,
        body: text,
        headers: {
          "content-type": type,
          "x-content-type-options": "nosniff",
          "cache-control": "no-cache",
        },
      }),
    };
  };
  const routes: Route[] = [
    { method: "GET", pattern: "/", handle: handlers.index },
    asset("page.css", "text/css; charset=utf-8"),
    asset("page.js", "text/javascript; charset=utf-8"),
  ];
  const sessions = access.sessions;
  if (!sessions) return routes;
  const crossSite = (): Response => ({
    status: 403,
    body: messagePage("Refused", "This form must be sent from this agent's own page."),
  });
  routes.push(
    {
      method: "POST",
      pattern: "/login",
      maxBody: FORM_MAX,
      handle(req) {
        // A login forced by another site would put the browser in a session of its choosing.
        if (!isSameOrigin(req)) return crossSite();
        const form = new URLSearchParams(req.body.toString("utf8"));
        const next = safeNext(form.get("next"));
        const at = clock();
        const peer = peerKey(req.peer);
        const wait = loginLimit.waitSeconds(peer, at);
        if (wait > 0) {
          return {
            status: 429,
            body: loginPage({
              next,
              error: `Too many wrong tokens from this address: the form takes none for ${wait} s.`,
            }),
            headers: { "retry-after": String(wait) },
          };
        }
        if (!access.tokenMatches(form.get("token") ?? "")) {
          loginLimit.failed(peer, at);
          return {
            status: 401,
            body: loginPage({ next, error: "That is not this agent's API token." }),
          };
        }
        return {
          status: 303,
          body: "logged in\n",
          headers: {
            location: next,
            "set-cookie": sessionCookie(sessions.create(), isSecure(req)),
            ...PAGE_HEADERS,
          },
        };
      },
    },
    {
      method: "POST",
      pattern: "/logout",
      maxBody: FORM_MAX,
      handle(req) {
        if (!isSameOrigin(req)) return crossSite();
        sessions.end(cookieOf(req.headers.cookie, SESSION_COOKIE));
        return {
          status: 303,
          body: "logged out\n",
          headers: { location: "/", "set-cookie": clearedCookie(isSecure(req)), ...PAGE_HEADERS },
        };
      },
    },
  );
  return routes;
}
