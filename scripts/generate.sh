#!/usr/bin/env bash
# Regenerate the low-level client into OUT_DIR (default: the committed generated/).
# 1. Apply openapi.overlay.yaml to KwikPaisa's openapi.json (oas-patch, OpenAPI
#    Overlay 1.0) and write the effective spec to OUT_DIR/openapi.json.
# 2. Generate OUT_DIR/kwikpaisa_generated from that effective spec.
# Run through `make generate`, which puts the pinned tools first on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/generated"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
oas-patch overlay "$root/openapi.json" "$root/openapi.overlay.yaml" -o "$work/openapi.json" >/dev/null
openapi-python-client generate \
  --path "$work/openapi.json" \
  --config "$root/generator-config.yml" \
  --meta none \
  --output-path "$work/pkg" >/dev/null
mkdir -p "$out"
rm -rf "$out/kwikpaisa_generated"
mv "$work/pkg" "$out/kwikpaisa_generated"
mv "$work/openapi.json" "$out/openapi.json"
# The generated code is fully annotated; say so to type checkers (PEP 561).
touch "$out/kwikpaisa_generated/py.typed"
echo "generated $(find "$out" -type f | wc -l) files in ${out#"$root"/}"
