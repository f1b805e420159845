// The status page's one script (served by the agent; no inline script, no eval, no request to
// another host). The page works without it: this adds the filter, relative times that stay
// current, and live updates from /events (server-sent events).

(() => {
  const table = document.getElementById("jobs");
  const jobPage = document.querySelector("main[data-job]");

  const relative = (iso) => {
    const ms = Date.parse(iso) - Date.now();
    if (Number.isNaN(ms)) return iso;
    const abs = Math.abs(ms);
    if (abs < 10_000) return ms > 0 ? "in a moment" : "just now";
    const [n, unit] =
      abs < 60_000
        ? [Math.round(abs / 1000), "s"]
        : abs < 3_600_000
          ? [Math.round(abs / 60_000), "min"]
          : abs < 86_400_000
            ? [Math.round(abs / 3_600_000), "h"]
            : [Math.round(abs / 86_400_000), "d"];
    return ms > 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
  };
  const refreshTimes = (root) => {
    for (const t of root.querySelectorAll("time[data-rel]")) t.textContent = relative(t.dateTime);
  };
  setInterval(() => refreshTimes(document), 15_000);

  // The filter: a row is shown when its text contains every word typed.
  const filter = document.getElementById("filter");
  const shown = document.getElementById("shown");
  const applyFilter = () => {
    if (!filter || !table) return;
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let count = 0;
    for (const row of table.tBodies[0].rows) {
      const text = row.textContent.toLowerCase();
      const match = words.every((w) => text.includes(w));
      row.hidden = !match;
      if (match) count++;
    }
    if (shown) shown.textContent = words.length ? `${count} shown` : "";
    try {
      sessionStorage.setItem("gitcron-filter", filter.value);
    } catch {}
  };
  if (filter && table) {
    filter.closest("[hidden]")?.removeAttribute("hidden");
    try {
      filter.value = sessionStorage.getItem("gitcron-filter") ?? "";
    } catch {}
    filter.addEventListener("input", applyFilter);
    if (filter.value) applyFilter();
  }

  if (!table && !jobPage) return;
  const rows = new Map();
  if (table) for (const row of table.tBodies[0].rows) rows.set(row.dataset.job, row);
  const events = new EventSource(
    jobPage ? `/events?job=${encodeURIComponent(jobPage.dataset.job)}` : "/events",
  );
  events.addEventListener("rows", (e) => {
    const { rows: changed } = JSON.parse(e.data);
    if (jobPage) {
      const mine = changed.find((r) => r.name === jobPage.dataset.job);
      if (!mine) return;
      const template = document.createElement("template");
      template.innerHTML = mine.html;
      const row = template.content.querySelector("tr");
      // A run that ended changes the history and its log tails: read the page again. Otherwise
      // only the state changed (a run started): show it in place.
      if (row && row.dataset.last !== jobPage.dataset.last) {
        location.reload();
        return;
      }
      const fresh = row?.querySelector(".state");
      const state = document.querySelector("dd .state");
      if (fresh && state) state.replaceWith(fresh);
      return;
    }
    let moved = false;
    for (const { name, html } of changed) {
      const old = rows.get(name);
      if (!old) continue;
      const template = document.createElement("template");
      // Rendered and escaped by the agent, like the page itself.
      template.innerHTML = html;
      const row = template.content.querySelector("tr");
      if (!row) continue;
      row.hidden = old.hidden;
      old.replaceWith(row);
      rows.set(name, row);
      moved ||= row.dataset.rank !== old.dataset.rank;
    }
    // A job that starts failing (or recovers) moves, as a reload would place it: by rank, then
    // by name in code-unit order, as the agent sorts.
    if (moved) {
      const body = table.tBodies[0];
      const order = [...body.rows].sort(
        (a, b) =>
          Number(a.dataset.rank) - Number(b.dataset.rank) ||
          (a.dataset.job < b.dataset.job ? -1 : a.dataset.job > b.dataset.job ? 1 : 0),
      );
      body.append(...order);
    }
    applyFilter();
  });
  // Jobs added or removed, or more changes than are worth sending one by one.
  events.addEventListener("reload", () => location.reload());
})();
