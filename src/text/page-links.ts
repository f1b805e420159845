// Links to the agent's status page as people reach it (`--public-url`): a job's page, and a run
// on it (the run history's row, by the run id as its anchor). Built from the setting, a job
// name (a DNS label) and a run id only, each encoded: nothing a job prints goes into a link.

export interface PageLinks {
  job(name: string): string;
  run(job: string, run: string): string;
}

/** The `--public-url` as given, checked: http(s), no credentials, query or fragment. Returns
 * it without a trailing slash, or a sentence saying what is wrong. */
export function checkPublicUrl(raw: string): { url: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: "is not a URL such as https://cron.example.com" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { error: `must be http:// or https://, not ${url.protocol}//` };
  if (url.username || url.password)
    return { error: "must not hold credentials: it is written into notifications" };
  if (url.search || url.hash) return { error: "must not have a query or a fragment" };
  return { url: url.href.replace(/\/+$/, "") };
}

export function pageLinks(publicUrl: string): PageLinks {
  const job = (name: string) => `${publicUrl}/jobs/${encodeURIComponent(name)}`;
  return { job, run: (name, run) => `${job(name)}#${encodeURIComponent(run)}` };
}
