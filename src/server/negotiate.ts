// Which form an answer takes: a page for browsers, JSON for everyone else (SPEC §8).

import type { Request } from "./http.js";

/** The q value the Accept header gives a type: its own entry, else `type/*`, else `*\/*`. */
function qualityOf(accept: string, type: string): { q: number; explicit: boolean } {
  const [major] = type.split("/");
  let best = { q: 0, specificity: -1, explicit: false };
  for (const part of accept.split(",")) {
    const [range = "", ...params] = part.trim().toLowerCase().split(";");
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === "*/*" ? 0 : -1;
    if (specificity < 0 || specificity < best.specificity) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    best = { q: Number.isFinite(q) ? q : 0, specificity, explicit: specificity === 2 };
  }
  return { q: best.q, explicit: best.explicit };
}

/** True when the request names text/html and prefers it to JSON: a browser's navigation does,
 * curl's `*\/*` and a client asking for application/json do not. */
export function prefersHtml(req: Pick<Request, "headers">): boolean {
  const accept = req.headers.accept;
  if (!accept) return false;
  const html = qualityOf(accept, "text/html");
  const json = qualityOf(accept, "application/json");
  return html.explicit && html.q > 0 && html.q >= json.q;
}
