#!/usr/bin/env bash
# Fail (naming the files) if generated/ is not exactly what `make generate`
# would write from the committed openapi.json with the pinned tools.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/generate.sh" "$tmp/kwikpaisa_generated" >/dev/null
if ! diff -rq "$root/generated/kwikpaisa_generated" "$tmp/kwikpaisa_generated" >"$tmp/diff.txt"; then
  echo "generated/ is out of date with openapi.json; run 'make generate' and commit the result:" >&2
  sed 's/^/  /' "$tmp/diff.txt" >&2
  exit 1
fi
echo "generated/ matches openapi.json"
