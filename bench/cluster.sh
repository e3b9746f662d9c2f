#!/usr/bin/env bash
# Cluster benchmark (issue 18): cached suggestion requests/s with the load spread evenly over 1, 2
# and 3 foresightd nodes on one PostgreSQL, and the cost of forwarding: with 2 nodes, p50/p99 of
# the same users' requests sent to their owner (local) and to the other node (forwarded), in the
# same run. Every node shares the first node's embedded PostgreSQL (the others reach it through
# --database-url) and the same JWT secret file.
# Usage: bench/cluster.sh BUILD_DIR [seconds]
set -euo pipefail
BUILD_DIR="$1"
SECONDS_RUN="${2:-10}"
THREADS=6     # wrk threads: 6, 3 or 2 per node for 1, 2 or 3 nodes
CONNECTIONS=60
LAT_CONNECTIONS=4 # the forwarding measurement: few connections, so latency is not queueing
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/lib.sh"

declare -A NODE_PID NODE_PORT CLUSTER_PORT
# SIGTERM to every node; one still running 10 s later is reported and killed (on main at
# 1aeaeec a clustered node that has served forwarded requests never finishes its shutdown).
stop_nodes() {
  local id pid
  for id in "${!NODE_PID[@]}"; do kill -TERM "${NODE_PID[$id]}" 2>/dev/null || true; done
  for id in "${!NODE_PID[@]}"; do
    pid="${NODE_PID[$id]}"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "  WARNING: node $id did not stop within 10 s of SIGTERM; killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "NODE_PID[$id]"
  done
  return 0
}
# A measurement counts only if no node was stopped during it (by a crash or by a signal from
# outside this script): each node is still running and has not logged its shutdown.
INVALID=""
check_nodes() { # what was measured
  local id
  for id in "${!NODE_PID[@]}"; do
    if ! kill -0 "${NODE_PID[$id]}" 2>/dev/null ||
       grep -q '"msg":"shutting down"' "$WORK/node-$id.log"; then
      echo "  WARNING: node $id stopped during: $1; that figure is not valid" >&2
      INVALID="${INVALID:+$INVALID; }$1 (node $id stopped)"
    fi
  done
  return 0
}

# 1 node: foresightd as every other benchmark runs it (no --peers: exactly as before issue 18).
start_foresightd "$BUILD_DIR"
trap 'stop_nodes; stop_foresightd' EXIT
create_users_and_tokens
URL="http://127.0.0.1:$PORT"
SECRET_FILE="$WORK/data/jwt_secret"
DB_URL="host=$SOCK port=5432 user=foresight dbname=foresight passfile=$WORK/data/postgres_password"

seed_catalog_and_history

non2xx_of() { sed -n 's/^ *non2xx \([0-9]*\)/\1/p' "$1"; }

# Cached suggestions spread over the given HTTP ports: a warm-up (every key once cached on its
# owner), then the measured run -> $WORK/wrk-<name>.txt
measure_hits() { # name port...
  local name="$1"; shift
  local ports; ports=$(IFS=,; echo "$*")
  TOKENS_FILE="$WORK/tokens.txt" NODE_PORTS="$ports" \
    wrk -t"$THREADS" -c"$THREADS" -d3s -s "$HERE/cluster.lua" "http://127.0.0.1:$1/" > /dev/null
  TOKENS_FILE="$WORK/tokens.txt" NODE_PORTS="$ports" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --timeout 10s -s "$HERE/cluster.lua" \
    "http://127.0.0.1:$1/" > "$WORK/wrk-$name.txt"
  printf '  %-8s %10.0f req/s   p50 %s  p99 %s  non-2xx %s\n' "$name" "$(rps_of "$WORK/wrk-$name.txt")" \
    "$(pct_of "$WORK/wrk-$name.txt" 50)" "$(pct_of "$WORK/wrk-$name.txt" 99)" \
    "$(non2xx_of "$WORK/wrk-$name.txt")"
}

echo "==> 1 node: cached suggestions, ${SECONDS_RUN}s, $CONNECTIONS connections"
measure_hits 1-node "$PORT"
kill -TERM "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

# A port below the ephemeral range that nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 10000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  echo "no free port" >&2; exit 1
}

# Starts node ID of the nodes in $NODES (all of them its peers); node a runs the embedded
# PostgreSQL, the others connect to it.
start_node() { # id
  local id="$1" peers="" other log="$WORK/node-$1.log" db_args
  for other in $NODES; do
    [ "$other" = "$id" ] || peers="${peers:+$peers,}$other=127.0.0.1:${CLUSTER_PORT[$other]}"
  done
  if [ "$id" = a ]; then db_args=(--data-dir "$WORK/data"); else db_args=(--database-url "$DB_URL"); fi
  # shellcheck disable=SC2086 # BENCH_SERVE_ARGS: extra serve options, split on spaces
  "$FSD" serve --port 0 "${db_args[@]}" --jwt-secret-file "$SECRET_FILE" --log-requests false \
    --pbkdf2-iterations 1000 --node-id "$id" --cluster-port "${CLUSTER_PORT[$id]}" \
    --peers "$peers" ${BENCH_SERVE_ARGS:-} > "$log" 2>&1 &
  NODE_PID[$id]=$!
  for _ in $(seq 1 300); do
    grep -q '"msg":"listening"' "$log" 2>/dev/null && break
    kill -0 "${NODE_PID[$id]}" 2>/dev/null || break
    sleep 0.2
  done
  NODE_PORT[$id]=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$log" | head -1)
  [ -n "${NODE_PORT[$id]}" ] || { echo "node $id did not start:"; cat "$log"; exit 1; }
}

alive_on() { # id -> members alive in its GET /api/v1/cluster
  curl -s -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:${NODE_PORT[$1]}/api/v1/cluster" |
    grep -o '"state":"alive"' | wc -l
}

start_cluster() { # ids...
  NODES="$*"
  local id n=$# ok
  for id in $NODES; do CLUSTER_PORT[$id]=$(free_port); done
  for id in $NODES; do start_node "$id"; done # a first: it brings the database up
  for _ in $(seq 1 100); do
    ok=1
    for id in $NODES; do [ "$(alive_on "$id")" -eq "$n" ] || ok=0; done
    [ "$ok" = 1 ] && return 0
    sleep 0.2
  done
  echo "the $n nodes did not all see each other alive within 20 s:" >&2
  for id in $NODES; do curl -s -H "Authorization: Bearer $ADMIN" \
    "http://127.0.0.1:${NODE_PORT[$id]}/api/v1/cluster" >&2; echo >&2; done
  exit 1
}

echo "==> 2 nodes: cached suggestions spread over both, ${SECONDS_RUN}s"
start_cluster a b
measure_hits 2-nodes "${NODE_PORT[a]}" "${NODE_PORT[b]}"
check_nodes "2 nodes"

echo "==> forwarding: the users node a owns, sent to a (local) and to b (forwarded)"
: > "$WORK/tokens-a.txt"
for i in $(seq 0 $((BENCH_USERS - 1))); do
  owner=$(curl -s -H "Authorization: Bearer $ADMIN" \
    "http://127.0.0.1:${NODE_PORT[a]}/api/v1/cluster?user=u$i" |
    sed -n 's/.*"owner":{[^}]*"node":"\([^"]*\)".*/\1/p')
  [ "$owner" = a ] && sed -n "$((i + 1))p" "$WORK/tokens.txt" >> "$WORK/tokens-a.txt"
done
OWNED=$(wc -l < "$WORK/tokens-a.txt")
echo "  node a owns $OWNED of $BENCH_USERS users"
[ "$OWNED" -gt 0 ] || { echo "no user owned by a: is ?user= answered with owner.node?" >&2; exit 1; }
latency_run() { # name port
  TOKENS_FILE="$WORK/tokens-a.txt" wrk -t1 -c"$LAT_CONNECTIONS" -d"${SECONDS_RUN}s" --timeout 10s \
    -s "$HERE/cluster.lua" "http://127.0.0.1:$2/" > "$WORK/wrk-$1.txt"
}
# Warm both paths (every key cached on a), then measure each in turn.
TOKENS_FILE="$WORK/tokens-a.txt" wrk -t1 -c"$LAT_CONNECTIONS" -d3s -s "$HERE/cluster.lua" \
  "http://127.0.0.1:${NODE_PORT[b]}/" > /dev/null
latency_run local "${NODE_PORT[a]}"
latency_run forwarded "${NODE_PORT[b]}"
check_nodes "forwarding"
stop_nodes

echo "==> 3 nodes: cached suggestions spread over all three, ${SECONDS_RUN}s"
start_cluster a b c
measure_hits 3-nodes "${NODE_PORT[a]}" "${NODE_PORT[b]}" "${NODE_PORT[c]}"
check_nodes "3 nodes"
stop_nodes

R1=$(rps_of "$WORK/wrk-1-node.txt"); R2=$(rps_of "$WORK/wrk-2-nodes.txt"); R3=$(rps_of "$WORK/wrk-3-nodes.txt")
L50=$(ms_of "$(pct_of "$WORK/wrk-local.txt" 50)"); F50=$(ms_of "$(pct_of "$WORK/wrk-forwarded.txt" 50)")
L99=$(ms_of "$(pct_of "$WORK/wrk-local.txt" 99)"); F99=$(ms_of "$(pct_of "$WORK/wrk-forwarded.txt" 99)")
EXTRA50=$(echo "$F50 - $L50" | bc -l); EXTRA99=$(echo "$F99 - $L99" | bc -l)
echo
echo "== cluster results ($(nproc) cores, all nodes and wrk on this machine, $CONNECTIONS connections, ${SECONDS_RUN}s runs, $PATTERNS patterns) =="
for n in 1-node 2-nodes 3-nodes; do
  f="$WORK/wrk-$n.txt"
  printf 'cached, %-8s %10.0f req/s   p50 %s  p99 %s  non-2xx %s\n' "$n" "$(rps_of "$f")" \
    "$(pct_of "$f" 50)" "$(pct_of "$f" 99)" "$(non2xx_of "$f")"
done
printf '2 vs 1 node       %10.2f x\n' "$(echo "$R2 / $R1" | bc -l)"
printf '3 vs 1 node       %10.2f x\n' "$(echo "$R3 / $R1" | bc -l)"
echo "forwarding, 2 nodes, the $OWNED users node a owns, $LAT_CONNECTIONS connections:"
printf '  to a (local)      %8.0f req/s   p50 %.3f ms  p99 %.3f ms\n' "$(rps_of "$WORK/wrk-local.txt")" "$L50" "$L99"
printf '  to b (forwarded)  %8.0f req/s   p50 %.3f ms  p99 %.3f ms\n' "$(rps_of "$WORK/wrk-forwarded.txt")" "$F50" "$F99"
printf '  extra             p50 %.3f ms  p99 %.3f ms   (goal: p50 < 0.5 ms: %s)\n' "$EXTRA50" "$EXTRA99" \
  "$( [ "$(echo "$EXTRA50 < 0.5" | bc -l)" = 1 ] && echo met || echo NOT MET)"
[ -z "$INVALID" ] || echo "NOT VALID: a node stopped during $INVALID"
{
  rec meta seconds "$SECONDS_RUN"
  [ -z "$INVALID" ] || rec meta not_valid "a node stopped during $INVALID"
  rec meta connections "$CONNECTIONS"
  rec meta patterns "$PATTERNS"
  rec rate "1 node" "$R1" req/s reference
  rec rate "2 nodes" "$R2" req/s measured
  rec rate "3 nodes" "$R3" req/s measured
  rec ratio "2 nodes" "1 node" -
  rec ratio "3 nodes" "1 node" -
  for m in 1-node:"1 node" 2-nodes:"2 nodes" 3-nodes:"3 nodes" local:"to owner (local)" forwarded:"to other (forwarded)"; do
    f="$WORK/wrk-${m%%:*}.txt"
    rec latency "${m#*:}" "$(pct_of "$f" 50)" "$(pct_of "$f" 99)" "$(pct_of "$f" 99.9)"
  done
  rec count owned_users_of_a "$OWNED"
  rec count forward_extra_p50_ms "$(printf '%.3f' "$EXTRA50")"
  rec count forward_extra_p99_ms "$(printf '%.3f' "$EXTRA99")"
  rec count forward_goal_p50_ms 0.5
} | record_results cluster "cluster: cached suggestions over 1, 2, 3 nodes; forwarding cost"
