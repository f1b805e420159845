#!/usr/bin/env bash
# Installs and starts everything the test suite needs on a fresh Debian machine:
# a Docker engine, a second one standing in for a second host, the busybox test image
# (built locally, no registry) in both, the Debian docker-registry package for
# private-registry tests, Chromium for the status page's browser tests, and promtool, jq, curl
# and ssh for the tests and the docs' examples. Idempotent: run it
# as often as you like; `.ci/run` and a newcomer both use it.
set -euo pipefail

log() { printf '[test-env] %s\n' "$*"; }
need_root() { if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi; }
need_root

# What the tests and the docs' examples call: jq, curl and ssh too.
packages=(docker.io busybox-static docker-registry apache2-utils git chromium iproute2 jq curl
  openssh-client)
# promtool (docs/alerts.test.ts checks docs/alerts.yaml with it), without what the package
# recommends (the node exporter); the package's own Prometheus service is kept off below.
lean_packages=(prometheus)
missing_of() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done; }
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_lean < <(missing_of "${lean_packages[@]}")
if [ "${#missing[@]}" -gt 0 ] || [ "${#missing_lean[@]}" -gt 0 ]; then
  log "installing ${missing[*]} ${missing_lean[*]}"
  $SUDO apt-get update -qq
  apt_install() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null; }
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
  if [ "${#missing_lean[@]}" -gt 0 ]; then apt_install --no-install-recommends "${missing_lean[@]}"; fi
fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  $SUDO systemctl disable --now prometheus || true
fi

# The package's own registry service listens on :5000 for everyone; the tests
# start their own instance on a loopback port, so keep the system one off.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  $SUDO systemctl stop docker-registry || true
fi
pkill -f '^/usr/bin/docker-registry serve /etc/docker/registry' 2>/dev/null || true

DOCKERD_LOG=${DOCKERD_LOG:-/tmp/gitcron-dockerd.log}
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $DOCKERD_LOG)"
  # containerd ships with docker.io; dockerd starts its own when none runs.
  # --no-new-privileges: the Docker runtime sets it on every container itself, but the Swarm
  # API of this engine (1.41) cannot set it on a service; the daemon default gives it to tasks.
  nohup $SUDO dockerd --no-new-privileges >"$DOCKERD_LOG" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see $DOCKERD_LOG"; tail -20 "$DOCKERD_LOG"; exit 1; }
fi
log "docker $(docker version --format '{{.Server.Version}}') is up"

TEST_IMAGE=${GITCRON_TEST_IMAGE:-gitcron-test/busybox:1}
if ! docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  log "building $TEST_IMAGE from busybox-static"
  ctx=$(mktemp -d)
  cp /bin/busybox "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox","--install","-s","/bin"]
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$TEST_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi
log "test image $TEST_IMAGE ready"

# A second engine on this host standing in for a second host (an agent on each, one lease):
# its own socket, data, state, containerd namespace and bridge; not in swarm mode. It adds no
# iptables rules (two daemons would share the DOCKER chains; its containers need no network).
DOCKER2_HOST=unix:///var/run/gitcron-docker2.sock
DOCKERD2_LOG=${DOCKERD2_LOG:-/tmp/gitcron-dockerd2.log}
docker2() { docker -H "$DOCKER2_HOST" "$@"; }
if ! docker2 info >/dev/null 2>&1; then
  ip link show gitcron-br2 >/dev/null 2>&1 || $SUDO ip link add gitcron-br2 type bridge
  addresses=$(ip -4 addr show dev gitcron-br2)
  [[ $addresses == *" 10.213.0.1/24 "* ]] || $SUDO ip addr add 10.213.0.1/24 dev gitcron-br2
  $SUDO ip link set gitcron-br2 up
  log "starting a second dockerd on $DOCKER2_HOST (log: $DOCKERD2_LOG)"
  nohup $SUDO dockerd --host "$DOCKER2_HOST" \
    --data-root /var/lib/gitcron-docker2 --exec-root /var/run/gitcron-docker2 \
    --pidfile /var/run/gitcron-docker2.pid \
    --containerd-namespace gitcron-docker2 --containerd-plugins-namespace gitcron-docker2-plugins \
    --bridge gitcron-br2 --iptables=false --ip-masq=false >"$DOCKERD2_LOG" 2>&1 &
  for _ in $(seq 1 60); do
    docker2 info >/dev/null 2>&1 && break
    sleep 1
  done
  docker2 info >/dev/null 2>&1 || { log "the second dockerd did not start; see $DOCKERD2_LOG"; tail -20 "$DOCKERD2_LOG"; exit 1; }
fi
if ! docker2 image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  docker save "$TEST_IMAGE" | docker2 load -q >/dev/null
fi
log "second engine $DOCKER2_HOST ready with $TEST_IMAGE"
