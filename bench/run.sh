#!/usr/bin/env bash
# Benchmarks of foresightd, each measured beside a reference run in the same script on the same
# machine. Usage: bench/run.sh BUILD_DIR [ingest|generalize|generate|history|suggest|soak] [args]
set -euo pipefail
BUILD_DIR="$(cd "$1" && pwd)"; shift
WHAT="${1:-ingest}"; [ $# -gt 0 ] && shift
case "$WHAT" in
  ingest) exec "$(dirname "$0")/ingest.sh" "$BUILD_DIR" "$@" ;;
  generalize) exec taskset -c 0 "$BUILD_DIR/generalize_bench" ;;
  generate) exec taskset -c 0 "$BUILD_DIR/generate_bench" ;;
  history) exec "$(dirname "$0")/history.sh" "$BUILD_DIR" "$@" ;;
  suggest) exec "$(dirname "$0")/suggest.sh" "$BUILD_DIR" "$@" ;;
  soak) exec "$(dirname "$0")/soak.sh" "$BUILD_DIR" "$@" ;;
  *) echo "unknown benchmark: $WHAT (known: ingest, generalize, generate, history, suggest, soak)" >&2; exit 2 ;;
esac
