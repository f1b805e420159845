// Where the status page's data comes from: an interface, so the routes and the bench can be
// given a page without an agent, and the agent's side (src/agent/page-source.ts) stays apart.

import type { JobPageModel, JobRow, PageModel } from "./model.js";

/** A change the open pages should see: these jobs' rows, or everything (jobs came or went). */
export type PageChange = { jobs: readonly string[] } | { reload: true };

export interface PageSource {
  page(now: Date): Promise<PageModel>;
  /** One job's page, or null when there is no such job. */
  job(name: string, now: Date): Promise<JobPageModel | null>;
  /** Rows of these jobs as they are now (unknown names are left out). */
  rows(names: readonly string[]): Promise<JobRow[]>;
  onChange(listener: (change: PageChange) => void): () => void;
}
