#!/usr/bin/env bash
# Installs the pinned Go tools (FerretDB, grpcurl, grpc-health-probe, ghz) through the Go
# module proxy, once per machine, into a cache outside the work tree; later calls are instant.
# Prints the bin directory on the last line of stdout.
#   bash tools/scripts/go-tools.sh [tool ...]     (default: all)
set -euo pipefail

# ferretdb: the version is pinned by tools/go/ferretdb/go.mod, whose main.go runs FerretDB's
# embeddable package (see the comment there for why); the pin below only names the build.
declare -A PINS=(
  [ferretdb]="github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2"
  [grpcurl]="github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3"
  [grpc-health-probe]="github.com/grpc-ecosystem/grpc-health-probe@v0.4.61"
  [ghz]="github.com/bojand/ghz/cmd/ghz@v0.120.0"
)

cache="${CQRS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cqrs-grpc-platform}"
bin="$cache/bin"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="$PATH:/usr/local/go/bin"
  else
    echo "go-tools: Go is not installed. Install Go 1.22 or newer (https://go.dev/doc/install), then run this again." >&2
    exit 1
  fi
fi

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(ferretdb grpcurl grpc-health-probe ghz)

for tool in "${tools[@]}"; do
  pin="${PINS[$tool]:-}"
  if [ -z "$pin" ]; then
    echo "go-tools: unknown tool '$tool' (known: ${!PINS[*]})" >&2
    exit 2
  fi
  if [ "$tool" = ferretdb ]; then
    pin="$pin+$(cat "$(dirname "$0")"/../go/ferretdb/{go.mod,go.sum,main.go} | sha256sum | cut -c1-12)"
  fi
  stamp="$bin/.$tool.pin"
  if [ -x "$bin/$tool" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pin" ]; then
    echo "go-tools: $tool ready ($pin)" >&2
    continue
  fi
  echo "go-tools: building $pin (once per machine, a few minutes) ..." >&2
  started=$SECONDS
  if [ "$tool" = ferretdb ]; then
    (cd "$(dirname "$0")/../go/ferretdb" && GOFLAGS=-buildvcs=false go build -o "$bin/ferretdb" .) >&2
  else
    GOBIN="$bin" GOFLAGS=-buildvcs=false go install "$pin" >&2
  fi
  echo "$pin" > "$stamp"
  echo "go-tools: $tool built in $((SECONDS - started))s" >&2
done
echo "$bin"
