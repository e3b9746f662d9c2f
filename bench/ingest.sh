#!/usr/bin/env bash
# Ingest benchmark: POST /api/v1/activity/log at 64 connections from 200 users in 5 roles, beside
# its references in the same script: COPY of the same rows into the same table shape, and nginx
# serving a static response of the acknowledgement's size. The limit is L = 1 / (1/COPY +
# 1/nginx): one logged activity costs at least a COPY row and an nginx request. The three are
# measured in ROUNDS rounds (wrk, COPY, nginx, then again), so that a slow spell of the VM, which
# lasts seconds to minutes, falls on a round's measured phase and its references alike; each round
# has its own L and ratio, and the floor is judged on the medians over the rounds. Also printed,
# not part of L: the COPY into a table that also has the spec's foreign key to users (L and the
# ratio with it), and pgbench (one single-row INSERT per transaction, 16 clients). Every
# acknowledged id is checked against the table. Each measured phase starts settled (lib.sh's
# settle): no phase pays for the writeback of what came before it.
# Usage: bench/ingest.sh BUILD_DIR [seconds per wrk/nginx phase, 20] [rounds, 3]
set -euo pipefail
BUILD_DIR="$1"
SECONDS_RUN="${2:-20}"
ROUNDS="${3:-3}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
start_foresightd "$BUILD_DIR"
create_users_and_tokens

ACK_SAMPLE=$(curl -s --max-time 10 -X POST -H "Authorization: Bearer $(head -1 "$WORK/tokens.txt")" \
  -H 'Content-Type: application/json' -d '{"activity_type":"chat","query_text":"nginx sample"}' \
  "http://127.0.0.1:$PORT/api/v1/activity/log")
start_nginx ack.json "$ACK_SAMPLE"
COPY_ROWS=200000
"${PSQL[@]}" -c "\\copy (SELECT 'u' || (i % 200), 'query', 'Show me quarterly profits from last 5 years', ('{\"data\":[{\"quarter\":\"Q1\",\"profit\":1250000.5},{\"quarter\":\"Q2\",\"profit\":1310000.25},{\"quarter\":\"Q3\",\"profit\":990000.75}],\"metadata\":{\"generated_sql\":\"SELECT quarter, SUM(profit) FROM sales GROUP BY quarter ORDER BY quarter\",\"execution_time_ms\":' || (i % 2000) || ',\"row_count\":20}}')::jsonb, '{\"role\":\"analyst\",\"department\":\"Finance\",\"goals\":[\"grow margin\"],\"connection_id\":\"my-database\"}'::jsonb FROM generate_series(1, $COPY_ROWS) i) TO '$WORK/rows.tsv'"
copy_rate() { # TABLE: rows/s of one COPY of rows.tsv into it
  local start end
  start=$(date +%s.%N)
  "${PSQL[@]}" -c "\\copy $1 (user_id, activity_type, query_text, response_data, metadata) FROM '$WORK/rows.tsv'" >&2 || return
  end=$(date +%s.%N)
  echo "$COPY_ROWS / ($end - $start)" | bc -l
}
BEFORE=$("${PSQL[@]}" -t -A -c "SELECT count(*) FROM user_activity")
: > "$WORK/acked.txt"
: > "$WORK/rounds.tsv"
for r in $(seq 1 "$ROUNDS"); do
  echo "==> round $r of $ROUNDS: wrk, 64 connections, ${SECONDS_RUN}s"
  settle
  TOKENS_FILE="$WORK/tokens.txt" IDS_FILE="$WORK/acked-$r.txt" \
    wrk -t2 -c64 -d"${SECONDS_RUN}s" --timeout 10s -s "$HERE/ingest.lua" \
    "http://127.0.0.1:$PORT/api/v1/activity/log" | tee "$WORK/wrk-$r.txt"
  cat "$WORK/acked-$r.txt" >> "$WORK/acked.txt"
  RPS=$(rps_of "$WORK/wrk-$r.txt"); RPS=${RPS:-0}
  if [ "${RPS%.*}" -eq 0 ]; then
    echo "ingest: foresightd answered no request; its log: $WORK/server.log" >&2
    exit 1
  fi
  echo "==> round $r: reference COPY of the same rows, without and with the foreign key"
  # Fresh tables each round, dropped after it, so every round copies into the same state.
  "${PSQL[@]}" -c "CREATE TABLE bench_copy (LIKE user_activity INCLUDING DEFAULTS INCLUDING INDEXES)"
  "${PSQL[@]}" -c "CREATE TABLE bench_copy_fk (LIKE user_activity INCLUDING DEFAULTS INCLUDING INDEXES, FOREIGN KEY (user_id) REFERENCES users(id))"
  settle
  COPY_RPS=$(copy_rate bench_copy)
  settle
  COPY_FK_RPS=$(copy_rate bench_copy_fk)
  "${PSQL[@]}" -c "DROP TABLE bench_copy, bench_copy_fk"
  echo "==> round $r: reference nginx, a static response of the acknowledgement's size, 64 connections"
  settle
  wrk -t2 -c64 -d"${SECONDS_RUN}s" "http://127.0.0.1:$NGINX_PORT/ack.json" | tee "$WORK/wrk-nginx-$r.txt"
  NGINX_RPS=$(rps_of "$WORK/wrk-nginx-$r.txt")
  NON2XX=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$WORK/wrk-$r.txt")
  LIMIT=$(echo "1 / (1 / $COPY_RPS + 1 / $NGINX_RPS)" | bc -l)
  # One line per round: ratio first (the rounds are sorted by it), then what it came from, the
  # percentiles in ms.
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(echo "$RPS / $LIMIT" | bc -l)" "$r" "$RPS" \
    "$COPY_RPS" "$COPY_FK_RPS" "$NGINX_RPS" "$LIMIT" "$(ms_of "$(pct_of "$WORK/wrk-$r.txt" 50)")" \
    "$(ms_of "$(pct_of "$WORK/wrk-$r.txt" 99)")" "$(ms_of "$(pct_of "$WORK/wrk-$r.txt" 99.9)")" \
    "${NON2XX:-0}" >> "$WORK/rounds.tsv"
done

echo "==> checking every acknowledged id is in the table"
"${PSQL[@]}" -c "CREATE TABLE bench_acked (id bigint)"
"${PSQL[@]}" -c "\\copy bench_acked FROM '$WORK/acked.txt'"
ACKED=$("${PSQL[@]}" -t -A -c "SELECT count(*) FROM bench_acked")
MISSING=$("${PSQL[@]}" -t -A -c "SELECT count(*) FROM bench_acked b WHERE NOT EXISTS (SELECT 1 FROM user_activity a WHERE a.id = b.id)")
DUPES=$("${PSQL[@]}" -t -A -c "SELECT count(*) - count(DISTINCT id) FROM bench_acked")
AFTER=$("${PSQL[@]}" -t -A -c "SELECT count(*) FROM user_activity")

echo "==> reference: pgbench, one single-row INSERT per transaction, 16 clients, ${SECONDS_RUN}s"
"${PSQL[@]}" -c "CREATE TABLE bench_activity (LIKE user_activity INCLUDING DEFAULTS INCLUDING INDEXES)"
cat > "$WORK/insert.sql" <<'SQL'
\set uid random(0, 199)
\set ms random(20, 2000)
INSERT INTO bench_activity (user_id, activity_type, query_text, response_data, metadata) VALUES ('u' || :uid, 'query', 'Show me quarterly profits from last 5 years', ('{"data":[{"quarter":"Q1","profit":1250000.5},{"quarter":"Q2","profit":1310000.25},{"quarter":"Q3","profit":990000.75}],"metadata":{"generated_sql":"SELECT quarter, SUM(profit) FROM sales GROUP BY quarter ORDER BY quarter","execution_time_ms":' || :ms || ',"row_count":20}}')::jsonb, '{"role":"analyst","department":"Finance","goals":["grow margin"],"connection_id":"my-database"}'::jsonb);
SQL
settle
env PGPASSFILE="$WORK/data/postgres_password" pgbench -n -h "$SOCK" -U foresight -c 16 -j 2 -T "$SECONDS_RUN" -f "$WORK/insert.sql" foresight | tee "$WORK/pgbench.txt"
TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.txt" | head -1)

# The round of the median ratio gives the figures recorded, and the latency percentiles are the
# medians of the rounds'. With an even number of rounds, the worse of the middle two each time.
sort -g "$WORK/rounds.tsv" > "$WORK/rounds-sorted.tsv"
MEDIAN_LINE=$(( (ROUNDS + 1) / 2 ))
IFS=$'\t' read -r RATIO MEDIAN_ROUND RPS COPY_RPS COPY_FK_RPS NGINX_RPS LIMIT _ \
  < <(sed -n "${MEDIAN_LINE}p" "$WORK/rounds-sorted.tsv")
NON2XX=$(awk -F'\t' '{ n += $11 } END { print n + 0 }' "$WORK/rounds.tsv")
LIMIT_FK=$(echo "1 / (1 / $COPY_FK_RPS + 1 / $NGINX_RPS)" | bc -l)
median_ms() { # COLUMN of rounds.tsv (8: p50, 9: p99, 10: p99.9): the middle, or the worse middle
  cut -f "$1" "$WORK/rounds.tsv" | sort -g | sed -n "$((ROUNDS / 2 + 1))p"
}
P50=$(median_ms 8); P99=$(median_ms 9); P999=$(median_ms 10)

echo
echo "== ingest results ($(nproc) cores, $ROUNDS rounds of ${SECONDS_RUN}s runs) =="
echo "round  foresightd req/s   p99        COPY rows/s  nginx req/s  L req/s   ratio vs L"
while IFS=$'\t' read -r ratio round rps copy _ nginx limit _ p99 _ _; do
  printf '%5d  %16.0f   %-9s  %11.0f  %11.0f  %7.0f   %5.2f\n' "$round" "$rps" "${p99}ms" "$copy" "$nginx" \
    "$limit" "$ratio"
done < "$WORK/rounds.tsv"
ROUNDS_MET=$(awk -F'\t' '$1 >= 0.4 && $9 < 20 { n++ } END { print n + 0 }' "$WORK/rounds.tsv")
echo "the median round ($MEDIAN_ROUND):"
printf 'foresightd            %10.0f req/s  (%s non-2xx in all the rounds)\n' "$RPS" "$NON2XX"
printf '  latency, medians of the rounds: p50 %sms  p99 %sms  p99.9 %sms\n' "$P50" "$P99" "$P999"
printf 'acknowledged ids      %10d  missing from table: %d  duplicated: %d  rows added: %d\n' \
  "$ACKED" "$MISSING" "$DUPES" "$((AFTER - BEFORE))"
printf 'COPY                  %10.0f rows/s\n' "$COPY_RPS"
printf '  with the foreign key  %10.0f rows/s (not part of L)\n' "$COPY_FK_RPS"
printf 'nginx static          %10.0f req/s\n' "$NGINX_RPS"
printf 'L = 1/(1/COPY+1/nginx)%10.0f req/s\n' "$LIMIT"
printf 'ratio vs L            %10.2f    (floor 0.4; p99 floor 20 ms)\n' "$RATIO"
printf '  the same with the foreign key: L %.0f req/s, ratio %.2f (not the floor)\n' "$LIMIT_FK" \
  "$(echo "$RPS / $LIMIT_FK" | bc -l)"
printf 'pgbench single-row    %10.0f tps (after the rounds)\n' "$TPS"
printf 'ratio vs pgbench      %10.2f x\n' "$(echo "$RPS / $TPS" | bc -l)"
printf 'ratio vs COPY         %10.2f x\n' "$(echo "$RPS / $COPY_RPS" | bc -l)"
printf 'rounds meeting both floors (0.4 L, p99 < 20 ms): %d of %d\n' "$ROUNDS_MET" "$ROUNDS"
{
  rec meta seconds "$SECONDS_RUN"
  rec meta connections 64
  rec meta rounds "$ROUNDS"
  rec meta median_round "$MEDIAN_ROUND"
  rec rate foresightd "$RPS" req/s measured
  rec rate "pgbench single-row INSERT" "$TPS" tps reference
  rec rate COPY "$COPY_RPS" rows/s reference
  rec rate "COPY with the users foreign key" "$COPY_FK_RPS" rows/s reference
  rec rate "nginx static" "$NGINX_RPS" req/s reference
  rec rate "L = 1/(1/COPY + 1/nginx)" "$LIMIT" req/s reference
  rec rate "L with the foreign key" "$LIMIT_FK" req/s reference
  rec latency foresightd "${P50}ms" "${P99}ms" "${P999}ms"
  rec ratio foresightd "L = 1/(1/COPY + 1/nginx)" 0.4
  rec ratio foresightd "pgbench single-row INSERT" -
  rec ratio foresightd COPY -
  rec ratio foresightd "L with the foreign key" -
  rec count acknowledged "$ACKED"
  rec count missing "$MISSING"
  rec count duplicated "$DUPES"
  rec count rows_added "$((AFTER - BEFORE))"
  rec count non_2xx "$NON2XX"
  rec count rounds_meeting_the_floors "$ROUNDS_MET"
  while IFS=$'\t' read -r ratio round _; do
    rec meta "ratio_round_$round" "$(printf '%.3f' "$ratio")"
  done < "$WORK/rounds.tsv"
} | record_results ingest "ingest: POST /api/v1/activity/log, 64 connections, $ROUNDS x ${SECONDS_RUN} s (median round)"
[ "$MISSING" -eq 0 ] || { echo "LOST ACKNOWLEDGED ACTIVITIES"; exit 1; }
