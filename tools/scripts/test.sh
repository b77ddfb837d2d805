#!/usr/bin/env bash
# `npm test`: installs what is missing, makes sure MariaDB, NATS JetStream and FerretDB run,
# then lints, tests (unit, integration and end-to-end) and builds every project with Nx.
# Extra arguments go to Nx, e.g. `npm test -- --skip-nx-cache`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

bash tools/scripts/install.sh
npx tsx tools/infra/src/infra.ts up

rm -rf tmp/test-results
trap 'node tools/scripts/test-summary.js tmp/test-results' EXIT
npx nx run-many -t lint test build --outputStyle=static "$@"
