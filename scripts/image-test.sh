#!/usr/bin/env bash
# Proves the Dockerfile end to end without a public registry:
#  1. builds it on the local base image (scripts/build-base-image.sh, cached);
#  2. checks the image: non-root user, `gitcron --help`, `gitcron validate` exit codes;
#  3. runs it as the agent against a real bare repository (file://, mounted) with the host's
#     Docker socket mounted, waits for /healthz, /readyz and the HEALTHCHECK, and checks that
#     one job ran and was recorded on the status branch.
#
#   bash scripts/image-test.sh          (CI: `npm run test:image`)
#
# Environment: IMAGE (default gitcron-image-test:local), BASE_IMAGE (gitcron-base/node:24),
# TEST_IMAGE (the job's image, default gitcron-test/busybox:1), DEADLINE (seconds, 120).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-gitcron-image-test:local}
BASE_IMAGE=${BASE_IMAGE:-gitcron-base/node:24}
TEST_IMAGE=${TEST_IMAGE:-gitcron-test/busybox:1}
DEADLINE=${DEADLINE:-120}
SOCKET=/var/run/docker.sock
# A per-run prefix names everything this script creates, so cleanup takes only its own.
id="imgtest-$$"
job="$id-hello"

log() { printf '[image-test] %s\n' "$*"; }
fail() {
  printf '[image-test] FAIL: %s\n' "$*" >&2
  if [ -n "${agent:-}" ]; then docker logs --tail 40 "$agent" >&2 2>&1 || true; fi
  exit 1
}

work=$(mktemp -d "/tmp/gitcron-$id.XXXXXX")
agent=""
cleanup() {
  # -v: the VOLUME of the agent's data dir is anonymous; it goes with the container.
  [ -n "$agent" ] && docker rm -f -v "$agent" >/dev/null 2>&1 || true
  docker ps -aq --filter "label=gitcron.job=$job" | xargs -r docker rm -f >/dev/null 2>&1 || true
  rm -rf "$work"
  # The classic builder keeps the build stage as an untagged image; drop it (the Dockerfile labels it).
  docker image prune -f --filter label=gitcron.stage=build >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Polls a command until it succeeds or the deadline passes.
wait_for() {
  local what=$1 limit=$((SECONDS + DEADLINE))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$limit" ] || fail "timed out after ${DEADLINE}s waiting for $what"
    sleep 0.5
  done
  log "ok: $what"
}

# --- 1. build --------------------------------------------------------------------------------
bash scripts/build-base-image.sh
registry=$(npm config get registry 2>/dev/null || true)
log "building $IMAGE on $BASE_IMAGE${registry:+ (npm registry $registry)}"
started=$SECONDS
# The classic builder: no buildx plugin is assumed on the machine.
DOCKER_BUILDKIT=0 docker build -q --force-rm -t "$IMAGE" \
  --build-arg "NODE_IMAGE=$BASE_IMAGE" \
  --build-arg "NPM_REGISTRY=$registry" . >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "docker build failed"; }
log "ok: built in $((SECONDS - started))s, $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

# --- 2. the image on its own -----------------------------------------------------------------
[ "$(docker run --rm --entrypoint id "$IMAGE" -u)" = 10001 ] || fail "the image does not run as uid 10001"
log "ok: runs as uid 10001"
# Captured whole first: `grep -q` stops reading at the first match, and the writer's broken
# pipe then fails the pipeline (pipefail).
help=$(docker run --rm "$IMAGE" --help) || fail "gitcron --help exited non-zero"
grep -q "gitcron <command>" <<<"$help" || fail "gitcron --help"
help=$(docker run --rm "$IMAGE" agent --help) || fail "gitcron agent --help exited non-zero"
grep -q "GITCRON_REPO" <<<"$help" || fail "gitcron agent --help"
log "ok: gitcron --help, gitcron agent --help"

chmod 0755 "$work"
mkdir -m 0755 "$work/jobs"
printf 'schedule: "0 3 * * MON"\nimage: %s\n' "$TEST_IMAGE" >"$work/jobs/good.yaml"
printf 'schedule: "0 3 * * MON"\nimage: %s\nimagee: typo\n' "$TEST_IMAGE" >"$work/jobs/bad.yaml"
chmod 0644 "$work"/jobs/*.yaml
validate() { docker run --rm -v "$work/jobs:/jobs:ro" -w / "$IMAGE" validate "$@"; }
validate /jobs/good.yaml >/dev/null || fail "validate of a valid job did not exit 0"
set +e
out=$(validate /jobs 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "validate of an invalid job exited $code, not 1: $out"
grep -q "^jobs/bad.yaml:3:1: error: " <<<"$out" || fail "validate did not name bad.yaml:3:1: $out"
log "ok: gitcron validate (exit 0 valid, 1 invalid with file:line:col)"

# --- 3. the agent ----------------------------------------------------------------------------
repo="$work/repo.git"
seed="$work/seed"
git init -q --bare -b main "$repo"
git init -q -b main "$seed"
# Every two seconds (six fields: seconds first) so a run comes soon; a warning, not an error.
printf 'schedule: "*/2 * * * * *"\nimage: %s\ncommand: ["echo", "hello from %s"]\n' \
  "$TEST_IMAGE" "$job" >"$seed/$job.yaml"
git -C "$seed" add .
git -C "$seed" -c user.name=test -c user.email=test@localhost commit -q -m "add $job"
git -C "$seed" push -q "$repo" main
# The agent runs as uid 10001 and pushes its status branch into the mounted repository.
chown -R 10001:10001 "$repo"

agent="$id-agent"
docker run -d --name "$agent" --init \
  -v "$SOCKET:$SOCKET" --group-add "$(stat -c %g "$SOCKET")" \
  -v "$repo:/srv/repo.git" \
  -e GITCRON_REPO=file:///srv/repo.git \
  -e GITCRON_INTERVAL=2s -e GITCRON_STATUS_FLUSH=1s \
  -p 127.0.0.1::8080 \
  --health-interval 2s --health-start-period 60s \
  "$IMAGE" >/dev/null
address=$(docker port "$agent" 8080/tcp | head -n 1)
log "agent $agent listening on $address"

wait_for "GET /healthz is 200" curl -fsS "http://$address/healthz"
wait_for "GET /readyz is 200" curl -fsS "http://$address/readyz"
healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$agent")" = healthy ]; }
wait_for "the image's HEALTHCHECK reports healthy" healthy
# The job's newest record in the status branch's journal (runs/<day>/<hour>/*.jsonl).
last_run() {
  for f in $(git --git-dir="$repo" ls-tree -r --name-only gitcron-status runs/ 2>/dev/null); do
    git --git-dir="$repo" show "gitcron-status:$f"
  done | grep -F "\"job\":\"$job\"" | tail -n 1 | grep .
}
wait_for "a run of $job recorded on gitcron-status" last_run

summary=$(last_run)
node -e '
  const s = JSON.parse(process.argv[1]);
  const want = { job: process.argv[2], outcome: "succeeded", exitCode: 0 };
  for (const [k, v] of Object.entries(want))
    if (s[k] !== v) { console.error(`the run record field ${k} is ${JSON.stringify(s[k])}, not ${JSON.stringify(v)}`); process.exit(1); }
  if (!/hello from/.test(s.logTail)) { console.error("the run record logTail lacks the job output"); process.exit(1); }
' "$summary" "$job" || fail "unexpected run summary: $summary"
log "ok: $(node -e 'const s=JSON.parse(process.argv[1]);console.log(`${s.run}: ${s.outcome}, exit ${s.exitCode}, ${s.durationMs} ms`)' "$summary")"

# SIGTERM: the agent stops starting runs and exits 0 within its 30 s grace.
docker stop -t 40 "$agent" >/dev/null
[ "$(docker inspect -f '{{.State.ExitCode}}' "$agent")" = 0 ] || fail "the agent did not exit 0 on SIGTERM"
log "ok: exits 0 on SIGTERM"
log "PASS"
