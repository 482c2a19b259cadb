#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, install the tarball into a fresh consumer folder with install
# scripts off (koffi then loads from its per-platform package) and without locksmith's devDependencies,
# run scripts/ci/consumer/smoke.mjs there (a lock across two processes, `npx locksmith status`, a store
# update, `await using` per Node version), then type-check a consumer importing `locksmith` and
# `locksmith/postgres` under `strict` with `skipLibCheck: false` and without `@types/pg`.
# Runs on the `node` first on PATH. Usage: scripts/ci/pack-smoke.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/locksmith-pack.XXXXXX")"
trap 'rm -rf "$work"' EXIT
say() { echo "pack-smoke ($(node --version)): $*"; }

cd "$repo"
npm run build --silent
npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null
tarball="$(ls "$work"/locksmith-*.tgz)"
listing="$(tar tzf "$tarball")"
grep -qx 'package/LICENSE' <<<"$listing" || { say "no LICENSE in the tarball"; exit 1; }
if grep -E '\.map$|^package/src/' <<<"$listing"; then say "source maps or sources in the tarball"; exit 1; fi
mkdir "$work/unpacked"
tar xzf "$tarball" -C "$work/unpacked"
if grep -rl sourceMappingURL "$work/unpacked/package/dist"; then
  say "dist still points at source maps"
  exit 1
fi
say "tarball $(basename "$tarball"): $(wc -l <<<"$listing") files, LICENSE, no maps"

consumer="$work/consumer"
mkdir -p "$consumer"
cp scripts/ci/consumer/* "$consumer/"
cd "$consumer"
echo '{ "name": "consumer", "private": true, "type": "module" }' >package.json
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "$tarball" >/dev/null
node smoke.mjs

# The type check needs a compiler and Node's types, as any TypeScript consumer has; not @types/pg.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error typescript@~5.9.3 @types/node@^20 >/dev/null
[ ! -e node_modules/@types/pg ] || { say "@types/pg got installed"; exit 1; }
npx --no-install tsc -p tsconfig.json
say "consumer.ts type-checks (strict, skipLibCheck false, no @types/pg)"
