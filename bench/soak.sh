#!/usr/bin/env bash
# Soak: mixed traffic (logging, history, suggestions, preference and catalog changes) for N
# minutes at 32 connections, sampling the server every 30 s: resident memory, open descriptors,
# threads, live session actors and cache entries. Passes when each is flat at the end: within
# 10% (and 16 MiB for memory) of its value at minute 2. Sessions keep 300 questions each here
# (--session-history): at about 5 questions a second per user they are full within the first
# minute, so what grows after it is not their designed capacity. (At the default 1,500 they
# fill in about 6 minutes, at about 1.3 KB per question.)
# Usage: bench/soak.sh BUILD_DIR [minutes], at least 3 minutes
set -euo pipefail
BUILD_DIR="$1"
MINUTES="${2:-10}"
[ "$MINUTES" -ge 3 ] || { echo "soak: at least 3 minutes" >&2; exit 2; }
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
BENCH_SERVE_ARGS="--session-history 300 ${BENCH_SERVE_ARGS:-}"
start_foresightd "$BUILD_DIR"
create_users_and_tokens
URL="http://127.0.0.1:$PORT"
echo bench-password | "$FSD" user add --data-dir "$WORK/data" --id bench-admin --role admin \
  --password-stdin --pbkdf2-iterations 1000 --admin > /dev/null
ADMIN_TOKEN=$("$FSD" token --data-dir "$WORK/data" --user bench-admin --ttl 7200)
CATALOG_JSON='{"name":"Sales","metrics":[{"name":"revenue","display_name":"Revenue"},{"name":"profit","display_name":"Profit"},{"name":"profit_margin","display_name":"Profit margin"},{"name":"volume","display_name":"Volume"}],"dimensions":[{"name":"region","display_name":"Region"},{"name":"channel","display_name":"Sales channel"},{"name":"product_category","display_name":"Product category"}],"entities":[{"name":"product","display_name":"Products"},{"name":"customer","display_name":"Customers"}]}'
curl -sf -o /dev/null -X PUT "$URL/api/v1/connections/demo-sales" \
  -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d "$CATALOG_JSON"

metric() { curl -s "$URL/metrics" | sed -n "s/^$1 \([0-9]*\).*/\1/p"; }
sample() { # minute -> one line: minute rss_mib fds threads sessions cache_entries
  local rss fds threads
  rss=$(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$SERVER_PID/status")
  fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$SERVER_PID/status")
  echo "$1 $rss $fds $threads $(metric foresight_sessions_alive) $(metric foresight_suggestion_cache_entries)"
}

echo "==> $MINUTES minutes of mixed traffic (32 connections); a sample every 30 s"
TOKENS_FILE="$WORK/tokens.txt" ADMIN_TOKEN="$ADMIN_TOKEN" CATALOG_JSON="$CATALOG_JSON" \
  wrk -t2 -c32 -d"$((MINUTES * 60))s" --timeout 10s -s "$HERE/soak.lua" "$URL/" \
  > "$WORK/wrk-soak.txt" &
WRK_PID=$!
printf '%-8s %8s %6s %8s %9s %14s\n' minute rss_mib fds threads sessions cache_entries
: > "$WORK/samples.txt"
for half in $(seq 1 $((MINUTES * 2))); do
  sleep 30
  line=$(sample "$(echo "scale=1; $half / 2" | bc)")
  echo "$line" >> "$WORK/samples.txt"
  printf '%-8s %8s %6s %8s %9s %14s\n' $line
done
wait "$WRK_PID"
grep -E "Requests/sec|requests " "$WORK/wrk-soak.txt"

# Flat: the last sample against the one at minute 2.
read -r _ r1 f1 t1 s1 c1 < <(sed -n 4p "$WORK/samples.txt")
read -r _ r2 f2 t2 s2 c2 < <(tail -1 "$WORK/samples.txt")
verdict=PASS
flat() { # name first last slack
  local limit=$(( $2 + $2 / 10 + $4 ))
  if [ "$3" -gt "$limit" ]; then echo "$1 grew: $2 -> $3 (limit $limit)"; verdict=FAIL; fi
}
flat "resident memory (MiB)" "$r1" "$r2" 16
flat "open descriptors" "$f1" "$f2" 4
flat "threads" "$t1" "$t2" 0
flat "session actors" "$s1" "$s2" 0
echo "soak over $MINUTES minutes: $verdict (minute 2 -> end: RSS $r1 -> $r2 MiB, fds $f1 -> $f2," \
     "threads $t1 -> $t2, sessions $s1 -> $s2, cache entries $c1 -> $c2)"
[ "$verdict" = PASS ]
