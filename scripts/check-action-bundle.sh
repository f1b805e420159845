#!/usr/bin/env bash
# CI: fails when the committed action/dist/index.js is not what the sources build to,
# so a merged change to src/ can never leave the published Action behind.
set -euo pipefail
cd "$(dirname "$0")/.."
committed=action/dist/index.js
fresh=$(mktemp /tmp/gitcron-action.XXXXXX.js)
trap 'rm -f "$fresh"' EXIT
npx --no-install tsc -p tsconfig.json
node scripts/bundle.mjs action "$fresh"
if [ ! -f "$committed" ]; then
  echo "error: $committed is missing; run \`npm run build:action\` and commit it" >&2
  exit 1
fi
if ! cmp -s "$fresh" "$committed"; then
  echo "error: $committed is stale: it differs from a fresh build of src/action." >&2
  echo "hint: run \`npm run build:action\` and commit action/dist/index.js" >&2
  cmp "$committed" "$fresh" >&2 || true
  exit 1
fi
echo "action/dist/index.js is up to date"
