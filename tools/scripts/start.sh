#!/usr/bin/env bash
# `npm start`: installs what is missing, makes sure MariaDB, NATS JetStream and FerretDB run,
# builds the three apps and runs them in the foreground (Ctrl-C stops them).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

bash tools/scripts/install.sh
npx tsx tools/infra/src/infra.ts up
npx nx run-many -t build -p command-service query-service projector --outputStyle=static
exec node --import tsx tools/dev/start-apps.ts
