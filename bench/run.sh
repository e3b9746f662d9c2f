#!/usr/bin/env bash
# Benchmarks of foresightd, each measured beside a reference run in the same script on the same
# machine (pgbench and COPY for ingest). Usage: bench/run.sh BUILD_DIR [ingest] [seconds]
set -euo pipefail
BUILD_DIR="$(cd "$1" && pwd)"; shift
WHAT="${1:-ingest}"; [ $# -gt 0 ] && shift
case "$WHAT" in
  ingest) exec "$(dirname "$0")/ingest.sh" "$BUILD_DIR" "$@" ;;
  *) echo "unknown benchmark: $WHAT (known: ingest)" >&2; exit 2 ;;
esac
