#!/usr/bin/env bash
# The whole test suite, from a fresh clone: dependencies, the real test bed (cached), the package build (lib/
# and the runtime bundle), the API report check, type check, lint, then every jest project (unit + live
# against real OpenBao / Terraform / KES / MinIO), and the key server's live tests again under Node 22 (the
# pods' Node major, from the npm registry).
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

# The pods run the official node:22 image: the key server's own live tests run again under Node 22 (the
# in-process servers and the spawned bundle alike: process.execPath is that Node), unless a file filter
# was given.
if [ "$#" -eq 0 ]; then
  step "key server live tests under Node 22"
  node22=$(bash scripts/testbed/node22.sh)
  echo "$node22 ($("$node22" --version))"
  # (the file list comes before --selectProjects, which would take every following word as a project)
  "$node22" node_modules/jest/bin/jest.js --ci \
    test/live/runtime/server-hardening.test.ts test/live/runtime/server-api.test.ts \
    test/live/runtime/server-exchange.test.ts test/live/runtime/server-tls.test.ts \
    test/live/runtime/server-process.test.ts test/live/runtime/server-reload-outage.test.ts \
    test/live/runtime/reliability.test.ts --selectProjects live --json --outputFile="$results.node22" || status=1
fi

# One closing line for both runs.
node -e '
  const fs = require("fs");
  const runs = process.argv.slice(1).filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  const skipped = sum("numPendingTests") + sum("numTodoTests");
  console.log(`\n${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${skipped} skipped`);
  if (runs.length === 0 || runs[0].numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' "$results" "$results.node22" || status=1
rm -f "$results" "$results.node22"
exit "$status"
