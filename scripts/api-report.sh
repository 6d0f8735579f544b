#!/usr/bin/env bash
# API reports of the package's three entry points (api/*.api.md), made by API Extractor from lib/'s .d.ts files.
#   bash scripts/api-report.sh          check: fails when the public API differs from the checked-in reports
#   bash scripts/api-report.sh --local  update: rewrites the reports after a deliberate API change (commit them)
# Builds lib/ first (tsc -p tsconfig.build.json), so the reports always describe the current sources.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=()
[ "${1:-}" = "--local" ] && mode=(--local)
rm -rf lib
npx tsc -p tsconfig.build.json
status=0
for entry in index spec testing; do
  npx api-extractor run "${mode[@]}" --config "api/${entry}.api-extractor.json" || status=1
done
if [ "$status" -ne 0 ] && [ ${#mode[@]} -eq 0 ]; then
  for report in lib/api-report-temp/*.api.md; do
    [ -f "$report" ] && { diff -u "api/$(basename "$report")" "$report" || true; }
  done
  echo "the public API differs from api/*.api.md (diff above): if the change is deliberate, run \`npm run api:update\` and commit the reports" >&2
fi
# The reports API Extractor wrote for the check are not part of the package: lib/ is what npm packs.
rm -rf lib/api-report-temp
exit "$status"
