#!/usr/bin/env bash
# Regenerate the low-level client from openapi.json into OUT_DIR (default: the
# committed generated/kwikpaisa_generated). Run through `make generate`, which
# puts the pinned openapi-python-client and ruff first on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/generated/kwikpaisa_generated"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openapi-python-client generate \
  --path "$root/openapi.json" \
  --config "$root/generator-config.yml" \
  --meta none \
  --output-path "$work/pkg" >/dev/null
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work/pkg" "$out"
# The generated code is fully annotated; say so to type checkers (PEP 561).
touch "$out/py.typed"
echo "generated $(find "$out" -type f | wc -l) files in ${out#"$root"/}"
