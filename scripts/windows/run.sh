#!/usr/bin/env bash
# `npm run test:windows`: the Windows suite (test/windows/) under Wine, with Node for Windows from the npm
# registry. Sets up what it needs (scripts/windows/setup.sh), compiles src/ and test/windows/ with tsc
# (esbuild, hence tsx, dies under Wine), runs test/windows/run.js in one node.exe, and prints its report.
# Node under Wine cannot write to a Linux pipe (EBADF), so its output goes to files, printed afterwards.
# Arguments narrow the run to files whose names start with them: npm run test:windows -- lock paths
set -euo pipefail
# shellcheck source=prefix.sh
source "$(dirname "$0")/prefix.sh"
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
