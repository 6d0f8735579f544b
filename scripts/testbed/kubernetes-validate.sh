#!/usr/bin/env bash
# Installs kubernetes-validate (PyPI; it ships the Kubernetes JSON schemas, so validation needs no network)
# into a virtualenv of the test bed, idempotently, and prints the path of its executable.
# Usage: bash scripts/testbed/kubernetes-validate.sh      (cache: $KVK_TESTBED_DIR, default <repo>/.testbed)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
version=1.37.0
# shellcheck source=cache-dir.sh
source "$here/cache-dir.sh"
venv="$testbed/kubernetes-validate-$version"
bin="$venv/bin/kubernetes-validate"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
mkdir -p "$testbed/logs"
log="$testbed/logs/kubernetes-validate.log"
rm -rf "$venv"
{ python3 -m venv "$venv" && "$venv/bin/pip" install --no-input "kubernetes-validate==$version"; } >"$log" 2>&1 || {
  echo "kubernetes-validate: install failed (pip install kubernetes-validate==$version); last lines of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
}
"$bin" --version >>"$log" 2>&1 || { echo "kubernetes-validate: $bin --version failed; see $log" >&2; exit 1; }
echo "$bin"
