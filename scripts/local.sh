#!/usr/bin/env bash
# The README's first command: the main job on the embedded default, on this machine.
# Installs what it needs (npm dependencies, the test bed, the runtime bundle), then runs scripts/local/main.ts.
# Options are passed through: --keep (leave everything running until Ctrl-C).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-node-modules.sh
bash scripts/testbed/install.sh
npm run --silent build:runtime
exec node --require ts-node/register/transpile-only scripts/local/main.ts "$@"
