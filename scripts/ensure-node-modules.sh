#!/usr/bin/env bash
# Installs npm dependencies exactly as locked when node_modules is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
marker=node_modules/.package-lock.json
if [ ! -f "$marker" ] || [ package-lock.json -nt "$marker" ]; then
  echo "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
else
  echo "npm dependencies: up to date"
fi
