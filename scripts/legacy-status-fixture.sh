#!/usr/bin/env bash
# Writes test/fixtures/status-ac7af71.bundle: a status branch in the layout before the journal
# (jobs/<name>/runs.jsonl, last.json), written by the status writer of ac7af71 itself — the
# release before the journal — so the migration test runs against what that release really
# wrote, not a hand-made copy. Needs the repository's history and node_modules; run it from the
# repository root only to remake the fixture.
set -euo pipefail
root=$(pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/old" ac7af71
ln -s "$root/node_modules" "$work/old/node_modules"
(cd "$work/old" && npx tsc -p tsconfig.json >/dev/null)
git init -q --bare "$work/remote.git"
cat > "$work/old/write.mjs" <<'JS'
const { StatusBranchWriter } = await import("./dist/status/branch.js");
const { default: pino } = await import("pino");
const [remote, dir] = process.argv.slice(2);
let now = Date.parse("2026-11-20T10:00:00Z");
const writer = new StatusBranchWriter({
  dir, repoUrl: `file://${remote}`, branch: "gitcron-status", history: 5,
  logger: pino({ level: "silent" }), now: () => new Date(now),
});
const run = (job, n, over = {}) => {
  const at = Date.parse("2026-11-20T03:00:00Z") + n * 3_600_000;
  return {
    job, run: `${job}-${new Date(at).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-1`,
    attempt: 1, outcome: "succeeded", exitCode: 0, reason: null,
    scheduledAt: new Date(at).toISOString(), startedAt: new Date(at + 300).toISOString(),
    finishedAt: new Date(at + 4_300).toISOString(), durationMs: 4_000,
    image: "gitcron-test/busybox:1", imageDigest: null,
    revision: "0123456789abcdef0123456789abcdef01234567", trigger: "schedule",
    logTail: `output of ${job} #${n}\n`, ...over,
  };
};
const state = {
  version: 1, revision: "0123456789abcdef0123456789abcdef01234567", agentVersion: "ac7af71",
  lastSyncAt: "2026-11-20T10:00:00.000Z", syncErrors: { count: 0 },
  jobs: Object.fromEntries(["nightly", "etl", "db-backup"].map((j) => [j, {
    file: `${j}.yaml`, schedule: "0 * * * *", timezone: "UTC", specHash: `h-${j}`, suspended: false,
    nextRunAt: null }])),
  rejected: [],
};
// nightly: 8 runs, of which --history 5 are kept; etl: a failure, then a skipped tick;
// db-backup: started later. (A job named `constructor` stopped that release's every push.)
for (let n = 0; n < 8; n++) {
  const batch = [run("nightly", n)];
  if (n === 6) batch.push(run("etl", n, { outcome: "failed", exitCode: 2, logTail: "etl broke\n" }));
  if (n === 7) batch.push(run("etl", n, { outcome: "skipped", exitCode: null, startedAt: null, finishedAt: null, durationMs: null, logTail: "" }));
  if (n >= 5) batch.push(run("db-backup", n));
  now += 600_000;
  await writer.publish({ summaries: batch, state });
}
JS
node "$work/old/write.mjs" "$work/remote.git" "$work/writer"
git -C "$work/remote.git" bundle create "$root/test/fixtures/status-ac7af71.bundle" gitcron-status 2>/dev/null
git -C "$work/remote.git" ls-tree -r --name-only gitcron-status
