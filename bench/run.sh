#!/usr/bin/env bash
# Benchmarks of foresightd, each measured beside a reference run in the same script on the same
# machine. Usage: bench/run.sh BUILD_DIR [ingest|generalize|generate|history|suggest|soak|cluster] [args]
set -euo pipefail
export BENCH_COMMAND="bench/run.sh $*" # recorded with the results (bench/results/<name>.json)
BUILD_DIR="$(cd "$1" && pwd)"; shift
WHAT="${1:-ingest}"; [ $# -gt 0 ] && shift
case "$WHAT" in
  ingest) exec "$(dirname "$0")/ingest.sh" "$BUILD_DIR" "$@" ;;
  generalize|generate) ;; # below: the program's output is also recorded and drawn
  history) exec "$(dirname "$0")/history.sh" "$BUILD_DIR" "$@" ;;
  suggest) exec "$(dirname "$0")/suggest.sh" "$BUILD_DIR" "$@" ;;
  soak) exec "$(dirname "$0")/soak.sh" "$BUILD_DIR" "$@" ;;
  cluster) exec "$(dirname "$0")/cluster.sh" "$BUILD_DIR" "$@" ;;
  *) echo "unknown benchmark: $WHAT (known: ingest, generalize, generate, history, suggest, soak, cluster)" >&2; exit 2 ;;
esac

# generalize and generate: one program each, pinned to one core; its output is printed as it
# comes and then read for bench/results/<name>.json and <name>.svg. The exit status is the
# program's.
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
set +e
taskset -c 0 "$BUILD_DIR/${WHAT}_bench" | tee "$OUT"
RC=${PIPESTATUS[0]}
set -e
rate_of() { sed -n "s/^$1 *\([0-9.]*\).*/\1/p" "$OUT" | head -1; }
if [ "$WHAT" = generalize ]; then
  OURS=$(rate_of 'generalize:'); REF=$(rate_of 'regex reference:')
  [ -n "$OURS" ] && [ -n "$REF" ] && {
    rec rate "generaliser" "$OURS" queries/s measured
    rec rate "std::regex chain (the original's way)" "$REF" queries/s reference
    rec ratio "generaliser" "std::regex chain (the original's way)" -
    rec count floor_queries_per_s 500000
  } | record_results generalize "generalize: the template generaliser on one core, 60-query mix"
else
  MEMO=$(rate_of 'generate:'); ALONE=$(rate_of 'generate without a memo:')
  GEN=$(rate_of 'generalise, same partial queries:')
  DIGEST=$(sed -n 's/^answers digest: \([0-9a-f]*\) (\([0-9]*\) bytes); with the memo: \(.*\)/\1 \2 bytes, memo: \3/p' "$OUT")
  [ -n "$MEMO" ] && [ -n "$ALONE" ] && [ -n "$GEN" ] && {
    rec rate "generate, with a memo" "$MEMO" lists/s measured
    rec rate "generate, no memo" "$ALONE" lists/s measured
    rec rate "generalise, same partial queries" "$GEN" queries/s reference
    rec ratio "generate, with a memo" "generalise, same partial queries" -
    rec ratio "generate, no memo" "generalise, same partial queries" -
    rec count us_per_generation_with_memo "$(echo "1000000 / $MEMO" | bc -l | xargs printf '%.2f')"
    rec meta answers_digest "$DIGEST"
  } | record_results generate "generate: suggestion generation on one core, 191 partial queries"
fi
exit "$RC"
