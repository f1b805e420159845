// Liveness and readiness: /healthz while the process loop turns, /readyz after the first
// successful sync.

import type { Route } from "./http.js";

export interface HealthSource {
  /** Time of the scheduler loop's last turn; a loop stuck longer than `staleMs` is unhealthy. */
  lastLoopAt(): Date;
  ready(): boolean;
  now(): Date;
}

export function healthRoutes(source: HealthSource, staleMs = 120_000): Route[] {
  return [
    {
      method: "GET",
      pattern: "/healthz",
      handle: () => {
        const age = source.now().getTime() - source.lastLoopAt().getTime();
        return age <= staleMs
          ? { status: 200, body: "ok\n" }
          : { status: 503, body: `loop stalled for ${Math.round(age / 1000)}s\n` };
      },
    },
    {
      method: "GET",
      pattern: "/readyz",
      handle: () =>
        source.ready()
          ? { status: 200, body: "ready\n" }
          : { status: 503, body: "waiting for the first successful sync\n" },
    },
  ];
}
