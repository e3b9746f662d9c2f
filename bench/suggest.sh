#!/usr/bin/env bash
# Suggestion benchmark at 64 connections on loopback: cache hits, the pattern path (no LLM) and a
# replay of realistic typing (cache hit rate), beside nginx serving a static JSON response of the
# same size in the same script (the machine's HTTP ceiling).
set -euo pipefail
BUILD_DIR="$1"
SECONDS_RUN="${2:-15}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"
start_foresightd "$BUILD_DIR"
create_users_and_tokens
URL="http://127.0.0.1:$PORT"

seed_catalog_and_history

metric() { curl -s "$URL/metrics" | sed -n "s/^$1 \([0-9]*\).*/\1/p"; }

run_wrk() { # mode seconds connections -> $WORK/wrk-<mode>.txt
  MODE="$1" TOKENS_FILE="$WORK/tokens.txt" wrk -t2 -c"$3" -d"$2s" --timeout 10s \
    -s "$HERE/suggest.lua" "$URL/" > "$WORK/wrk-$1.txt"
}

echo "==> reference: nginx, a static JSON response of the same size"
SAMPLE=$(curl -s -X POST -H "Authorization: Bearer $(head -1 "$WORK/tokens.txt")" \
  "$URL/api/v1/connections/demo-sales/suggestions/personalized?partial_query=top")
start_nginx s.json "$SAMPLE"
settle
MODE=static wrk -t2 -c64 -d"${SECONDS_RUN}s" -s "$HERE/suggest.lua" \
  "http://127.0.0.1:$NGINX_PORT/s.json" > "$WORK/wrk-nginx.txt"
NGINX_RPS=$(rps_of "$WORK/wrk-nginx.txt")

# Runs wrk and prints the share of cache hits among its requests, from /metrics.
hit_share_of_run() { # mode seconds connections
  local h0 m0 h1 m1
  h0=$(metric foresight_suggestion_cache_hits_total); m0=$(metric foresight_suggestion_cache_misses_total)
  run_wrk "$@"
  h1=$(metric foresight_suggestion_cache_hits_total); m1=$(metric foresight_suggestion_cache_misses_total)
  echo "100 * ($h1 - $h0) / ($h1 - $h0 + $m1 - $m0)" | bc -l
}

echo "==> cache hits (warm-up, then ${SECONDS_RUN}s)"
settle
run_wrk hits 2 8
HIT_SHARE=$(hit_share_of_run hits "$SECONDS_RUN" 64)
HIT_RPS=$(rps_of "$WORK/wrk-hits.txt")

echo "==> pattern path (warm-up, then ${SECONDS_RUN}s; keys far outnumber requests)"
settle
# Every user's session starts and reads its preferences and patterns once, with keys the
# measurement never asks for, so the run sees the steady state and still (nearly) only misses.
run_wrk sessions 2 8
MISS_SHARE=$(echo "100 - $(hit_share_of_run misses "$SECONDS_RUN" 64)" | bc -l)
MISS_RPS=$(rps_of "$WORK/wrk-misses.txt")

echo "==> replay of realistic typing (cold cache for this traffic; ${SECONDS_RUN}s, 16 connections)"
REPLAY_HIT=$(hit_share_of_run replay "$SECONDS_RUN" 16)

echo
echo "== suggestion results ($(nproc) cores, 64 connections, ${SECONDS_RUN}s runs, $PATTERNS patterns) =="
printf 'nginx static JSON     %10.0f req/s   p50 %s  p99 %s\n' "$NGINX_RPS" \
  "$(pct_of "$WORK/wrk-nginx.txt" 50)" "$(pct_of "$WORK/wrk-nginx.txt" 99)"
printf 'cache hits            %10.0f req/s   p50 %s  p99 %s   (%.1f%% hits)\n' "$HIT_RPS" \
  "$(pct_of "$WORK/wrk-hits.txt" 50)" "$(pct_of "$WORK/wrk-hits.txt" 99)" "$HIT_SHARE"
printf 'pattern path          %10.0f req/s   p50 %s  p99 %s   (%.1f%% misses)\n' "$MISS_RPS" \
  "$(pct_of "$WORK/wrk-misses.txt" 50)" "$(pct_of "$WORK/wrk-misses.txt" 99)" "$MISS_SHARE"
printf 'hits vs nginx         %10.2f x  (floor 0.6; p99 floor 5 ms)\n' "$(echo "$HIT_RPS / $NGINX_RPS" | bc -l)"
printf 'pattern path p99      %10s    (floor 10 ms)\n' "$(pct_of "$WORK/wrk-misses.txt" 99)"
printf 'replay hit rate       %10.1f %%  (floor 40%%)\n' "$REPLAY_HIT"
{
  rec meta seconds "$SECONDS_RUN"
  rec meta connections 64
  rec meta patterns "$PATTERNS"
  rec rate "nginx static JSON" "$NGINX_RPS" req/s reference
  rec rate "cache hits" "$HIT_RPS" req/s measured
  rec rate "pattern path" "$MISS_RPS" req/s measured
  for m in nginx:"nginx static JSON" hits:"cache hits" misses:"pattern path"; do
    f="$WORK/wrk-${m%%:*}.txt"
    rec latency "${m#*:}" "$(pct_of "$f" 50)" "$(pct_of "$f" 99)" "$(pct_of "$f" 99.9)"
  done
  rec ratio "cache hits" "nginx static JSON" 0.6
  rec ratio "pattern path" "nginx static JSON" -
  rec count cache_hits_hit_percent "$(printf '%.1f' "$HIT_SHARE")"
  rec count pattern_path_miss_percent "$(printf '%.1f' "$MISS_SHARE")"
  rec count replay_hit_percent "$(printf '%.1f' "$REPLAY_HIT")"
  rec count replay_req_per_s "$(rps_of "$WORK/wrk-replay.txt")"
  rec count replay_p99_ms "$(pct_of "$WORK/wrk-replay.txt" 99 | sed 's/ms$//')"
} | record_results suggest "suggest: personalized suggestions, 64 connections, ${SECONDS_RUN} s"
