#!/usr/bin/env bash
# `npm run bench [-- --mode quick|full|smoke]`: installs what is missing (ghz included), makes sure
# the infrastructure runs, builds the apps and runs the benchmark harness (tools/bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash tools/scripts/install.sh
npx tsx tools/infra/src/infra.ts up
npx nx run-many -t build -p command-service query-service projector --outputStyle=static
exec npx tsx tools/bench/src/bench.ts "$@"
