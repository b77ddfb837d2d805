#!/usr/bin/env bash
# buf breaking: the contract must stay wire- and source-compatible with the previous commit.
# With uncommitted changes under proto/ the previous commit is HEAD, otherwise HEAD~1.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "$(git status --porcelain -- proto buf.yaml 2>/dev/null)" ]; then
  against=HEAD
else
  against=HEAD~1
fi
if ! git rev-parse --verify --quiet "$against^{commit}" >/dev/null; then
  echo "buf breaking: no previous commit ($against) to compare with; skipped."
  exit 0
fi
if ! git cat-file -e "$against:buf.yaml" 2>/dev/null; then
  echo "buf breaking: $against has no buf.yaml (the contract starts after it); skipped."
  exit 0
fi
npx buf breaking --against ".git#ref=$(git rev-parse "$against")"
echo "buf breaking: no breaking change against $against ($(git rev-parse --short "$against"))."
