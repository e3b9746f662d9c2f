#!/usr/bin/env bash
# Assembles the files foresightd serves (its --web-root) into OUT: the console, the API
# reference page, and the browser libraries they load, taken from web/node_modules (npm ci).
# Usage: web/assemble.sh OUT
set -euo pipefail
WEB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$1"
NM="$WEB/node_modules"
[ -d "$NM/swagger-ui-dist" ] && [ -d "$NM/chart.js" ] || {
  echo "web/assemble.sh: run 'npm ci' in $WEB first (./foresight build does)" >&2; exit 1; }

STAGE="$(mktemp -d "${OUT%/}.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$WEB/console" "$STAGE/console"
cp -R "$WEB/docs" "$STAGE/docs"
cp "$NM/swagger-ui-dist/swagger-ui-bundle.js" "$NM/swagger-ui-dist/swagger-ui.css" "$STAGE/docs/"
mkdir -p "$STAGE/vendor"
cp "$NM/chart.js/dist/chart.umd.min.js" "$STAGE/vendor/chart.umd.min.js"
# Swap in whole, so a running server never reads a half-copied tree.
rm -rf "$OUT.old"
[ -e "$OUT" ] && mv "$OUT" "$OUT.old"
mv "$STAGE" "$OUT"
chmod -R a+rX "$OUT"
rm -rf "$OUT.old"
trap - EXIT
