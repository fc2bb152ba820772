#!/usr/bin/env bash
# Regenerate the low-level client into OUT_DIR (default: the committed generated/).
# 1. Apply openapi.overlay.yaml to KwikPaisa's openapi.json (scripts/apply_overlay.py:
#    OpenAPI Overlay 1.0 through oas-patch, refusing to hide KwikPaisa's content) and
#    write the effective spec to OUT_DIR/openapi.json.
# 2. Generate OUT_DIR/kwikpaisa_generated from that effective spec, with the endpoint
#    template in scripts/templates/ (a public build_request per endpoint).
# 3. Render operations.py (typed specs, results and resource methods) from
#    scripts/templates/facade/ (scripts/render_operations.py).
# 4. Print what changed in the effective spec against the previous OUT_DIR/openapi.json.
# Run through `make generate`, which puts the pinned tools first on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/generated"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python "$root/scripts/apply_overlay.py" "$root/openapi.json" "$root/openapi.overlay.yaml" "$work/openapi.json"
mkdir -p "$work/pkg"
openapi-python-client generate \
  --path "$work/openapi.json" \
  --config "$root/generator-config.yml" \
  --meta none \
  --custom-template-path "$root/scripts/templates" \
  --output-path "$work/pkg/kwikpaisa_generated" >/dev/null
python "$root/scripts/render_operations.py" "$work/openapi.json" "$work/pkg/kwikpaisa_generated"
# One ruff pass over the whole package (generator-config.yml has no post hooks): the
# pinned ruff with --isolated (no surrounding ruff configuration leaks in) and --no-cache
# (no .ruff_cache is written into generated/), so the same spec always produces
# byte-identical files.
(cd "$work/pkg/kwikpaisa_generated" && ruff check . --fix-only --isolated --no-cache --quiet \
  && ruff format . --isolated --no-cache --quiet)
# The generated code is fully annotated; say so to type checkers (PEP 561).
touch "$work/pkg/kwikpaisa_generated/py.typed"
python "$root/scripts/spec_changes.py" "$out/openapi.json" "$work/openapi.json"
mkdir -p "$out"
rm -rf "$out/kwikpaisa_generated"
mv "$work/pkg/kwikpaisa_generated" "$out/kwikpaisa_generated"
mv "$work/openapi.json" "$out/openapi.json"
echo "generated $(find "$out" -type f | wc -l) files in ${out#"$root"/}"
