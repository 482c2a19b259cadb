#!/usr/bin/env bash
# Windows wait figures under Wine (issue 19 item 3), for each wait strategy (LOCKSMITH_WAIT=queue, the
# default, and poll, the fallback): the CPU of 16 waiting processes, sampled from Linux (node.exe processes
# and wineserver, utime + stime), against 16 idle processes that do not wait; the time from killing a
# holder to the waiter's grant; the time from a release to the waiter's grant; fs.readFile latency while
# 32 processes wait. Usage: bash scripts/windows/wait-figures.sh [queue|poll ...]  (default: queue poll)
set -euo pipefail
# shellcheck source=prefix.sh
source "$(dirname "$0")/prefix.sh"
cp "$repo/scripts/windows/wait-figures.mjs" "$stage/wait-figures.mjs"
cd "$stage"
hz=$(getconf CLK_TCK)
# One line per node.exe / wineserver process: pid, name, utime + stime (clock ticks).
snap() {
  local p t name
  for p in $(pgrep -f 'node.exe|wineserver'); do
    # Fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces).
    t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
    [ -n "$t" ] || continue
    name=node; grep -qa wineserver "/proc/$p/cmdline" 2>/dev/null && name=wineserver
    echo "$p $name $t"
  done
}
idle() { # $1: waiter or sleeper
  rm -f idle-ready
  KIDS=$1 wine "$node_exe" wait-figures.mjs idle 60 >idle.out 2>idle.err &
  for _ in $(seq 1 240); do [ -f idle-ready ] && break; sleep 0.5; done
  [ -f idle-ready ] || { echo "the 16 processes never got ready"; cat idle.err; exit 1; }
  sleep 3
  snap >snap.a; t0=$(date +%s%N); sleep 10; snap >snap.b; t1=$(date +%s%N)
  # The total, then where it goes: wineserver, and the node.exe processes from the busiest down (the
  # queue's head, which polls, stands out when it is the cost).
  awk -v hz="$hz" -v s=$(((t1 - t0) / 1000000)) '
    FNR == NR { a[$1] = $3; next }
    ($1 in a) { printf "%s %.2f\n", $2, 100 * ($3 - a[$1]) / hz / (s / 1000) }
  ' snap.a snap.b | sort -k2,2gr | awk -v who="16 ${1}s" '
    { total += $2; if ($1 == "wineserver") ws += $2; else list = list sprintf(" %.1f", $2) }
    END { printf "%s: %.1f %% of a core (node.exe + wineserver); wineserver %.1f, node.exe each:%s\n", who, total, ws, list }'
  wait
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
idle sleeper
for strategy in "${@:-queue poll}"; do
  for s in $strategy; do
    echo "== LOCKSMITH_WAIT=$s"
    export LOCKSMITH_WAIT=$s
    idle waiter
    # FIGURES=idle: the CPU figures only (quicker, to find where idle CPU goes).
    [ "${FIGURES:-all}" = idle ] && continue
    for figure in "recovery 10" "wake 10" "readfile 200"; do
      # shellcheck disable=SC2086
      wine "$node_exe" wait-figures.mjs $figure >fig.out 2>fig.err || true
      cat fig.out fig.err
    done
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
