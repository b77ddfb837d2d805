#!/usr/bin/env bash
# Installs what the project needs on this machine, skipping what is already there:
# node_modules (npm ci when package-lock.json changed) and the pinned Go tools.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v node >/dev/null 2>&1; then
  echo "install: Node.js 20 or newer is needed (https://nodejs.org, or apt-get install -y nodejs npm)." >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install: npm ci ..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
bash tools/scripts/go-tools.sh ferretdb grpcurl grpc-health-probe ghz >/dev/null
