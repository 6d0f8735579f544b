#!/usr/bin/env bash
# The whole test suite, from a fresh clone: dependencies, the real test bed (cached), the package build (lib/
# and the runtime bundle), the API report check, type check, lint, then every jest project (unit + live
# against real OpenBao / Terraform / KES / MinIO).
# Prints a closing line "N passed, N failed, N skipped"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n== %s\n' "$*"; }

step "npm dependencies"
bash scripts/ensure-node-modules.sh

step "test bed (cached after the first run)"
bash scripts/testbed/install.sh

step "package build (lib/ and the runtime bundle)"
npm run --silent build

step "API report (fails when the public API changed without api/*.api.md)"
bash scripts/api-report.sh

step "type check"
npx tsc --noEmit

step "lint"
npx eslint --max-warnings 0 .

step "jest (unit + live)"
# Every temporary file of the run (cdktf's Testing leaves a cdktf.outdir.* folder per synthesis) goes into one
# folder that is removed at the end.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/kvk-test-run.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
results=$(mktemp)
status=0
npx jest --ci --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' "$results" || status=1
rm -f "$results"
exit "$status"
