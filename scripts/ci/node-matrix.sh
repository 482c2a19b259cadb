#!/usr/bin/env bash
# The Node versions CI tests, each with a binary from the npm registry (scripts/ci/node-bin.sh), on the
# dependencies `npm ci` installed (koffi is Node-API: one binary for every version):
#   Node 24 (active LTS)         the whole suite
#   Node 22 and 26               the lock contract suite, the kernel backend, the store and the CLI tests
#   Node 20, 22, 24 and 26       the packed tarball in a fresh consumer (scripts/ci/pack-smoke.sh)
# The whole suite on Node 20 is .ci/run's last step (`npm test`, the README's command).
# Every leg runs even if one fails; exits 1 if any failed, after a summary line per leg.
set -uo pipefail
cd "$(dirname "$0")/../.."

subset=(test/lock/contract.test.ts test/lock/backends/kernel/kernel-backend.test.ts test/store/*.test.ts test/store/codecs/*.test.ts
  test/cli/*.test.ts)
summary=()
failed=0

leg() { # name, command...
  local name="$1" start=$SECONDS status
  shift
  echo "node-matrix: === $name ==="
  "$@"
  status=$?
  summary+=("$name: $([ $status = 0 ] && echo passed || echo "FAILED (exit $status)") in $((SECONDS - start)) s")
  [ $status = 0 ] || failed=1
}

on_node() { # major, command...
  local major="$1" bin
  shift
  if [ "$major" = "$(node -p 'process.versions.node.split(".")[0]')" ] && [ -z "${LOCKSMITH_CI_FETCH_ALL:-}" ]; then
    bin="$(dirname "$(command -v node)")"
  elif ! bin="$(bash scripts/ci/node-bin.sh "$major")"; then
    echo "node-matrix: cannot install Node $major from the npm registry" >&2
    return 1
  fi
  PATH="$bin:$PATH" "$@"
}

leg "Node 24: whole suite" on_node 24 npm test
for major in 22 26; do
  leg "Node $major: contract, kernel, store and CLI tests" on_node "$major" npm test -- "${subset[@]}"
done
for major in 20 22 24 26; do
  leg "Node $major: packed tarball in a fresh consumer" on_node "$major" bash scripts/ci/pack-smoke.sh
done

printf 'node-matrix: %s\n' "${summary[@]}"
exit $failed
