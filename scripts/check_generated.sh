#!/usr/bin/env bash
# Fail (naming the files) if generated/ (the effective spec and the client) is not
# exactly what `make generate` writes from openapi.json and openapi.overlay.yaml with
# the pinned tools.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/generate.sh" "$tmp/generated" >/dev/null
if ! diff -rq -x __pycache__ "$root/generated" "$tmp/generated" >"$tmp/diff.txt"; then
  echo "generated/ is out of date with openapi.json and openapi.overlay.yaml;" \
    "run 'make generate' and commit the result:" >&2
  sed 's/^/  /' "$tmp/diff.txt" >&2
  exit 1
fi
echo "generated/ matches openapi.json + openapi.overlay.yaml"
