#!/usr/bin/env bash
# Bundles the GitHub Action into one ES module that runs with no install:
#   bash scripts/build-action.sh [OUTFILE]     (default action/dist/index.js)
# The bundle reads schema/job.schema.json at ../../schema from itself, which is where the
# runner's checkout of this repository puts it (the same path src/ and dist/ use).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-action/dist/index.js}
# Some dependencies are CommonJS and call require(); an ES module bundle has none of its own.
banner="import { createRequire as __gitcronCreateRequire } from 'node:module'; const require = __gitcronCreateRequire(import.meta.url);"
npx --no-install esbuild src/action/main.ts --bundle --platform=node --target=node20 \
  --format=esm --banner:js="$banner" --log-level=warning --outfile="$out"
