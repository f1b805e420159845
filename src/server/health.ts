// Liveness and readiness: /healthz while the process loop turns, /readyz after the first
// successful sync on the leader ("standby" on a standby).

import type { Route } from "./http.js";

export interface HealthSource {
  /** Time of the scheduler loop's last turn; a loop stuck longer than `staleMs` is unhealthy. */
  lastLoopAt(): Date;
  ready(): boolean;
  /** A standby (SPEC §3) is alive but not ready: the leader runs the jobs. */
  standby?(): boolean;
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
        source.standby?.()
          ? { status: 503, body: "standby\n" }
          : source.ready()
            ? { status: 200, body: "ready\n" }
            : { status: 503, body: "waiting for the first successful sync\n" },
    },
  ];
}
