# Shared set-up for the benchmark scripts: a foresightd with an embedded PostgreSQL in a temporary
# directory, 200 users in 5 roles, and a token file. Source it; it defines WORK, PORT, SOCK, PSQL.
BENCH_USERS=200
# The command line recorded with the results (run.sh sets it to its own).
BENCH_COMMAND="${BENCH_COMMAND:-bench/$(basename "$0") $*}"

start_foresightd() { # BUILD_DIR
  FSD="$1/foresightd"
  WORK="$(mktemp -d /tmp/foresight-bench-XXXXXX)"
  chmod 755 "$WORK"
  trap 'stop_foresightd' EXIT
  echo "==> starting foresightd (embedded PostgreSQL in $WORK)"
  # shellcheck disable=SC2086 # BENCH_SERVE_ARGS: extra serve options, split on spaces
  "$FSD" serve --port 0 --data-dir "$WORK/data" --log-requests false --pbkdf2-iterations 1000 \
    ${BENCH_SERVE_ARGS:-} \
    > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    grep -q '"msg":"listening"' "$WORK/server.log" 2>/dev/null && break
    sleep 0.2
  done
  PORT=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$WORK/server.log")
  [ -n "$PORT" ] || { cat "$WORK/server.log"; exit 1; }
  SOCK="$WORK/data/run"
  # The embedded cluster asks for the password foresightd keeps in its passfile.
  PSQL=(env PGPASSFILE="$WORK/data/postgres_password"
        psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -U foresight -d foresight)
}

stop_foresightd() {
  if [ -f "$WORK/nginx/nginx.pid" ]; then
    # `-s stop` only signals the master: wait for it, so no nginx outlives the run (and skews the
    # next run's figures). Every step may fail (nginx already gone) without ending this exit trap
    # under `set -e`.
    local master
    master=$(cat "$WORK/nginx/nginx.pid" 2>/dev/null || true)
    nginx -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true
    for _ in $(seq 1 50); do
      [ -n "$master" ] && kill -0 "$master" 2>/dev/null || break
      sleep 0.1
    done
    if [ -n "$master" ] && kill -0 "$master" 2>/dev/null; then
      pkill -KILL -P "$master" 2>/dev/null || true
      kill -KILL "$master" 2>/dev/null || true
    fi
  fi
  [ -n "${SERVER_PID:-}" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}

# nginx serving one static file, the machine's HTTP ceiling for a response of that size. Sets
# NGINX_PORT; stop_foresightd stops it too.
start_nginx() { # file_name content
  mkdir -p "$WORK/nginx/html"
  printf '%s' "$2" > "$WORK/nginx/html/$1"
  local port
  # A port below the ephemeral range, so no outgoing connection can be holding it.
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 10000))
    cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$port;
    location / { root $WORK/nginx/html; default_type application/json; }
  }
}
CONF
    if nginx -c "$WORK/nginx/nginx.conf" 2>/dev/null; then
      NGINX_PORT=$port
      return 0
    fi
  done
  echo "nginx could not find a free port" >&2
  exit 1
}

create_users_and_tokens() { # writes $WORK/tokens.txt
  echo "==> creating $BENCH_USERS users in 5 roles"
  echo bench-password | "$FSD" user add --data-dir "$WORK/data" --id u0 --role analyst \
    --password-stdin --pbkdf2-iterations 1000 > /dev/null
  "${PSQL[@]}" -c "INSERT INTO users (id, username, password_hash, role, department, goals)
    SELECT 'u' || i, 'u' || i, (SELECT password_hash FROM users WHERE id = 'u0'),
           (ARRAY['analyst','trader','executive','marketer','engineer'])[1 + i % 5],
           'Dept ' || (i % 7), '[\"grow margin\"]'
    FROM generate_series(1, $((BENCH_USERS - 1))) AS i"
  # Statistics as autovacuum gathers them within the first minute: without them PostgreSQL plans
  # differently (each stored activity's foreign-key check on `users` among others), so a run
  # would measure the first minute's plans, or switch plans partway through.
  "${PSQL[@]}" -c "ANALYZE"
  : > "$WORK/tokens.txt"
  for i in $(seq 0 $((BENCH_USERS - 1))); do
    "$FSD" token --data-dir "$WORK/data" --user "u$i" --ttl 7200 >> "$WORK/tokens.txt"
  done
}

# An admin (ADMIN: its token), the demo-sales catalog, and 3 s of the ingest mix so that
# patterns are learned; PATTERNS: how many. Needs URL (and what start_foresightd and
# create_users_and_tokens set).
seed_catalog_and_history() {
  echo "==> catalog and learned patterns (3 s of realistic activity)"
  echo bench-password | "$FSD" user add --data-dir "$WORK/data" --id bench-admin --role admin \
    --password-stdin --pbkdf2-iterations 1000 --admin > /dev/null
  ADMIN=$("$FSD" token --data-dir "$WORK/data" --user bench-admin --ttl 7200)
  curl -sf -o /dev/null -X PUT "$URL/api/v1/connections/demo-sales" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' -d '{"name":"Sales",
    "metrics":[{"name":"revenue","display_name":"Revenue","aggregation":"sum"},
               {"name":"profit","display_name":"Profit","aggregation":"sum"},
               {"name":"profit_margin","display_name":"Profit margin","aggregation":"avg"},
               {"name":"volume","display_name":"Volume","aggregation":"sum"},
               {"name":"aov","display_name":"Average order value","aggregation":"avg"}],
    "dimensions":[{"name":"region","display_name":"Region","type":"string"},
                  {"name":"product_category","display_name":"Product category","type":"string"},
                  {"name":"channel","display_name":"Sales channel","type":"string"},
                  {"name":"quarter","display_name":"Quarter","type":"time"}],
    "entities":[{"name":"product","display_name":"Products"},
                {"name":"customer","display_name":"Customers"},
                {"name":"stock","display_name":"Stocks"}]}'
  TOKENS_FILE="$WORK/tokens.txt" IDS_FILE="$WORK/acked.txt" \
    wrk -t2 -c16 -d3s -s "$HERE/ingest.lua" "$URL/api/v1/activity/log" > /dev/null
  sleep 2 # one learner flush
  PATTERNS=$("${PSQL[@]}" -t -A -c "SELECT count(*) FROM query_patterns")
}

# Before a measured phase: PostgreSQL's dirty buffers written (CHECKPOINT) and the kernel's dirty
# pages flushed (sync), so that no phase pays for the writeback of what the one before it (or the
# set-up) wrote. Dirty pages wait about 30 s (dirty_expire_centisecs) before the kernel writes
# them, which lands inside the next phase.
settle() {
  "${PSQL[@]}" -q -c "CHECKPOINT"
  sync
}

# wrk's output: requests/s, and a latency percentile as printed ("4.51ms": every script here prints
# milliseconds); ms_of takes the unit off.
rps_of() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$1"; } # FILE
pct_of() { sed -n "s/^ *$2% \(.*\)/\1/p" "$1"; } # FILE PERCENTILE
ms_of() { echo "${1%ms}"; }

# Results for bench/plot.py: `rec KIND FIELDS...` prints one tab-separated record (see plot.py);
# `record_results NAME TITLE < records` writes bench/results/NAME.json and draws NAME.svg. A
# failure to draw is reported and does not change the benchmark's exit status.
rec() { local IFS=$'\t'; printf '%s\n' "$*"; }
record_results() { # name title
  python3 "$(dirname "${BASH_SOURCE[0]}")/plot.py" --record "$1" --title "$2" \
    --command "$BENCH_COMMAND" || echo "plot.py failed; the results above stand" >&2
}
