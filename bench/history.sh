#!/usr/bin/env bash
# History-growth benchmark: POST /api/v1/activity/log latency while user_activity holds 1k, 100k
# and 1M rows (grown with INSERT ... SELECT between runs). Logging must cost the same at any size:
# nothing on the write path reads the history.
set -euo pipefail
BUILD_DIR="$1"
SECONDS_RUN="${2:-10}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
start_foresightd "$BUILD_DIR"
create_users_and_tokens

grow_to() { # rows
  local have
  have=$("${PSQL[@]}" -t -A -c "SELECT count(*) FROM user_activity")
  [ "$have" -ge "$1" ] && return
  echo "==> growing user_activity from $have to $1 rows"
  "${PSQL[@]}" -c "INSERT INTO user_activity (user_id, activity_type, query_text, response_data, metadata)
    SELECT 'u' || (i % $BENCH_USERS), 'query', 'Show me revenue by region for last ' || (i % 90) || ' days',
           ('{\"data\":[{\"region\":\"EMEA\",\"revenue\":' || i || '}],\"metadata\":{\"execution_time_ms\":' || (i % 900) || ',\"row_count\":4}}')::jsonb,
           '{\"role\":\"analyst\",\"department\":\"Finance\",\"goals\":[\"grow margin\"],\"connection_id\":\"demo-sales\"}'::jsonb
    FROM generate_series(1, $1 - $have) AS i"
  "${PSQL[@]}" -c "VACUUM ANALYZE user_activity"
  settle # the bulk load's writeback must not land inside the measurement
}

# Warm-up: the first requests spawn every user's session and load profiles.
TOKENS_FILE="$WORK/tokens.txt" IDS_FILE="$WORK/acked.txt" \
  wrk -t2 -c16 -d3s -s "$HERE/ingest.lua" "http://127.0.0.1:$PORT/api/v1/activity/log" > /dev/null
printf '%-12s %12s %10s %10s %10s\n' rows req/s p50 p99 p99.9 > "$WORK/results.txt"
: > "$WORK/records.tsv"
for size in 1000 100000 1000000; do
  grow_to "$size"
  TOKENS_FILE="$WORK/tokens.txt" IDS_FILE="$WORK/acked.txt" \
    wrk -t2 -c16 -d"${SECONDS_RUN}s" --timeout 10s -s "$HERE/ingest.lua" \
    "http://127.0.0.1:$PORT/api/v1/activity/log" > "$WORK/wrk.txt"
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$WORK/wrk.txt")
  p50=$(sed -n 's/^ *50% \(.*\)/\1/p' "$WORK/wrk.txt")
  p99=$(sed -n 's/^ *99% \(.*\)/\1/p' "$WORK/wrk.txt")
  p999=$(sed -n 's/^ *99.9% \(.*\)/\1/p' "$WORK/wrk.txt")
  printf '%-12s %12.0f %10s %10s %10s\n' "$size" "$rps" "$p50" "$p99" "$p999" >> "$WORK/results.txt"
  case "$size" in 1000) name="1k rows" ;; 100000) name="100k rows" ;; *) name="1M rows" ;; esac
  { rec rate "$name" "$rps" req/s measured; rec latency "$name" "$p50" "$p99" "$p999"
  } >> "$WORK/records.tsv"
done
echo
echo "== log latency as the history grows (16 connections, ${SECONDS_RUN}s each) =="
cat "$WORK/results.txt"
{
  rec meta seconds "$SECONDS_RUN"
  rec meta connections 16
  rec meta xlabel "rows in user_activity before the run"
  cat "$WORK/records.tsv"
  rec ratio "100k rows" "1k rows" -
  rec ratio "1M rows" "1k rows" -
} | record_results history "history: log latency as user_activity grows, 16 connections, ${SECONDS_RUN} s each"
