#!/usr/bin/env bash
# Ingest benchmark: POST /api/v1/activity/log at 64 connections from 200 users in 5 roles, then
# the references in the same script: COPY of the same rows into the same table shape, nginx serving
# a static response of the acknowledgement's size, and pgbench (one single-row INSERT per
# transaction, 16 clients). The limit is L = 1 / (1/COPY + 1/nginx): one logged activity costs at
# least a COPY row and an nginx request. Prints requests/s, latency percentiles, lost
# acknowledgements, L and the ratios. Printed beside them, not part of L: the COPY into a table
# that also has the spec's foreign key to users, and L and the ratio with that COPY. Each measured
# phase starts settled (lib.sh's settle): no phase pays for the writeback of what came before it.
set -euo pipefail
BUILD_DIR="$1"
SECONDS_RUN="${2:-20}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
start_foresightd "$BUILD_DIR"
create_users_and_tokens

echo "==> wrk: 64 connections, ${SECONDS_RUN}s"
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"
settle
BEFORE=$("${PSQL[@]}" -t -A -c "SELECT count(*) FROM user_activity")
TOKENS_FILE="$WORK/tokens.txt" IDS_FILE="$WORK/acked.txt" \
  wrk -t2 -c64 -d"${SECONDS_RUN}s" --timeout 10s -s "$HERE/ingest.lua" \
  "http://127.0.0.1:$PORT/api/v1/activity/log" | tee "$WORK/wrk.txt"
RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$WORK/wrk.txt"); RPS=${RPS:-0}
NON2XX=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$WORK/wrk.txt"); NON2XX=${NON2XX:-0}
if [ "${RPS%.*}" -eq 0 ]; then
  echo "ingest: foresightd answered no request; its log: $WORK/server.log" >&2
  exit 1
fi

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

echo "==> reference: COPY of the same rows"
COPY_ROWS=200000
"${PSQL[@]}" -c "CREATE TABLE bench_copy (LIKE user_activity INCLUDING DEFAULTS INCLUDING INDEXES)"
"${PSQL[@]}" -c "\\copy (SELECT 'u' || (i % 200), 'query', 'Show me quarterly profits from last 5 years', ('{\"data\":[{\"quarter\":\"Q1\",\"profit\":1250000.5},{\"quarter\":\"Q2\",\"profit\":1310000.25},{\"quarter\":\"Q3\",\"profit\":990000.75}],\"metadata\":{\"generated_sql\":\"SELECT quarter, SUM(profit) FROM sales GROUP BY quarter ORDER BY quarter\",\"execution_time_ms\":' || (i % 2000) || ',\"row_count\":20}}')::jsonb, '{\"role\":\"analyst\",\"department\":\"Finance\",\"goals\":[\"grow margin\"],\"connection_id\":\"my-database\"}'::jsonb FROM generate_series(1, $COPY_ROWS) i) TO '$WORK/rows.tsv'"
copy_rate() { # TABLE: rows/s of one COPY of rows.tsv into it
  local start end
  start=$(date +%s.%N)
  "${PSQL[@]}" -c "\\copy $1 (user_id, activity_type, query_text, response_data, metadata) FROM '$WORK/rows.tsv'" >&2 || return
  end=$(date +%s.%N)
  echo "$COPY_ROWS / ($end - $start)" | bc -l
}
settle
COPY_RPS=$(copy_rate bench_copy)
# Printed beside it, not part of L: the same COPY into a table that also has user_activity's
# foreign key to users (the spec's schema), which PostgreSQL checks row by row.
"${PSQL[@]}" -c "CREATE TABLE bench_copy_fk (LIKE user_activity INCLUDING DEFAULTS INCLUDING INDEXES, FOREIGN KEY (user_id) REFERENCES users(id))"
settle
COPY_FK_RPS=$(copy_rate bench_copy_fk)

echo "==> reference: nginx, a static response of the acknowledgement's size, 64 connections"
ACK_SAMPLE=$(curl -s --max-time 10 -X POST -H "Authorization: Bearer $(head -1 "$WORK/tokens.txt")" \
  -H 'Content-Type: application/json' -d '{"activity_type":"chat","query_text":"nginx sample"}' \
  "http://127.0.0.1:$PORT/api/v1/activity/log")
start_nginx ack.json "$ACK_SAMPLE"
settle
wrk -t2 -c64 -d"${SECONDS_RUN}s" "http://127.0.0.1:$NGINX_PORT/ack.json" | tee "$WORK/wrk-nginx.txt"
NGINX_RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$WORK/wrk-nginx.txt")
LIMIT=$(echo "1 / (1 / $COPY_RPS + 1 / $NGINX_RPS)" | bc -l)
LIMIT_FK=$(echo "1 / (1 / $COPY_FK_RPS + 1 / $NGINX_RPS)" | bc -l)

echo
echo "== ingest results ($(nproc) cores, ${SECONDS_RUN}s runs) =="
printf 'foresightd            %10.0f req/s  (%s non-2xx)\n' "$RPS" "$NON2XX"
grep -E '^ *(50|99|99.9)% ' "$WORK/wrk.txt" | sed 's/^/  latency /' || true
printf 'acknowledged ids      %10d  missing from table: %d  duplicated: %d  rows added: %d\n' \
  "$ACKED" "$MISSING" "$DUPES" "$((AFTER - BEFORE))"
printf 'pgbench single-row    %10.0f tps\n' "$TPS"
printf 'COPY                  %10.0f rows/s\n' "$COPY_RPS"
printf '  with the foreign key  %10.0f rows/s (not part of L)\n' "$COPY_FK_RPS"
printf 'nginx static          %10.0f req/s\n' "$NGINX_RPS"
printf 'L = 1/(1/COPY+1/nginx)%10.0f req/s\n' "$LIMIT"
printf 'ratio vs L            %10.2f    (floor 0.4; p99 floor 20 ms)\n' "$(echo "$RPS / $LIMIT" | bc -l)"
printf '  the same with the foreign key: L %.0f req/s, ratio %.2f (not the floor)\n' "$LIMIT_FK" \
  "$(echo "$RPS / $LIMIT_FK" | bc -l)"
printf 'ratio vs pgbench      %10.2f x\n' "$(echo "$RPS / $TPS" | bc -l)"
printf 'ratio vs COPY         %10.2f x\n' "$(echo "$RPS / $COPY_RPS" | bc -l)"
pct() { sed -n "s/^ *$1% \(.*\)/\1/p" "$WORK/wrk.txt"; }
{
  rec meta seconds "$SECONDS_RUN"
  rec meta connections 64
  rec rate foresightd "$RPS" req/s measured
  rec rate "pgbench single-row INSERT" "$TPS" tps reference
  rec rate COPY "$COPY_RPS" rows/s reference
  rec rate "COPY with the users foreign key" "$COPY_FK_RPS" rows/s reference
  rec rate "nginx static" "$NGINX_RPS" req/s reference
  rec rate "L = 1/(1/COPY + 1/nginx)" "$LIMIT" req/s reference
  rec rate "L with the foreign key" "$LIMIT_FK" req/s reference
  rec latency foresightd "$(pct 50)" "$(pct 99)" "$(pct 99.9)"
  rec ratio foresightd "L = 1/(1/COPY + 1/nginx)" 0.4
  rec ratio foresightd "pgbench single-row INSERT" -
  rec ratio foresightd COPY -
  rec ratio foresightd "L with the foreign key" -
  rec count acknowledged "$ACKED"
  rec count missing "$MISSING"
  rec count duplicated "$DUPES"
  rec count rows_added "$((AFTER - BEFORE))"
  rec count non_2xx "$NON2XX"
} | record_results ingest "ingest: POST /api/v1/activity/log, 64 connections, ${SECONDS_RUN} s"
[ "$MISSING" -eq 0 ] || { echo "LOST ACKNOWLEDGED ACTIVITIES"; exit 1; }
