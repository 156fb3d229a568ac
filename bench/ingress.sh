#!/usr/bin/env bash
# Ingress benchmark: the ceiling (signature check + 200), then Guestlist on SQLite and on
# Postgres, each under the three workloads at 64 keep-alive connections. Prints a Markdown table.
#   bench/ingress.sh [seconds-per-run]     (Postgres at $BENCH_POSTGRES_URL, default the local one)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
PG_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
SECRET="bench-secret"
cargo build --release -q --bin guestlist --example loadgen
GL=target/release/guestlist
LG=target/release/examples/loadgen
WORK=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

"$LG" fake-slack --listen 127.0.0.1:3901 >/dev/null & pids+=($!)
wait_ready() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

run_all() { # label pid
  for w in events user-changes commands clicks; do
    "$LG" run --target http://127.0.0.1:3000 --secret "$SECRET" --workload "$w" --connections "$CONNECTIONS" \
      --seconds "$SECONDS_PER_RUN" --pid "$2" --label "$1" 2> "$WORK/ack-$w"
  done
}
acked() { awk '/^acknowledged/ {print $2}' "$WORK/ack-$1"; }

# Nothing lost: every acknowledged delivery is a row; a stranger's user_change and a message
# outside the request channel are no job; every click on a missing request is one reply job.
check_counts() { # label query-command
  local events users clicks rows jobs
  events=$(acked events); users=$(acked user-changes); clicks=$(acked clicks)
  rows=$($2 "SELECT count(*) FROM slack_events")
  jobs=$($2 "SELECT count(*) FROM jobs WHERE kind = 'respond'")
  others=$($2 "SELECT count(*) FROM jobs WHERE kind NOT IN ('respond', 'housekeeping')")
  echo "$1: $((events + users)) deliveries acknowledged, $rows recorded; $clicks clicks acknowledged, $jobs reply jobs; $others other jobs" >&2
  [ "$rows" -eq $((events + users)) ] && [ "$jobs" -eq "$clicks" ] && [ "$others" -eq 0 ] \
    || { echo "$1: counts differ" >&2; exit 1; }
}

echo "| server | workload | connections | requests/s | p50 ms | p99 ms | peak RSS MiB | errors |"
echo "|---|---|---|---|---|---|---|---|"

"$LG" ceiling --listen 127.0.0.1:3000 --secret "$SECRET" & CEILING=$!; pids+=($CEILING)
sleep 0.5
run_all "ceiling" "$CEILING"
kill "$CEILING"; wait "$CEILING" 2>/dev/null || true

start_guestlist() { # database-url
  printf '[slack]\nrequest_channel = "CREQUESTS"\n' > "$WORK/guestlist.toml"
  GUESTLIST_CONFIG="$WORK/guestlist.toml" SLACK_SIGNING_SECRET="$SECRET" SLACK_BOT_TOKEN=xoxb-bench \
    SLACK_API_URL=http://127.0.0.1:3901/api DATABASE_URL="$1" GUESTLIST_LISTEN=127.0.0.1:3000 RUST_LOG=warn \
    "$GL" serve > "$WORK/guestlist.log" 2>&1 &
  GUESTLIST=$!; pids+=($GUESTLIST)
  wait_ready http://127.0.0.1:3000/readyz
}

start_guestlist "sqlite://$WORK/bench.db"
run_all "Guestlist, SQLite" "$GUESTLIST"
kill -TERM "$GUESTLIST"; wait "$GUESTLIST" 2>/dev/null || true
check_counts "SQLite" "sqlite3 $WORK/bench.db"

DB="guestlist_bench_$$"
psql "$PG_URL" -q -c "CREATE DATABASE $DB"
start_guestlist "${PG_URL%/*}/$DB"
run_all "Guestlist, Postgres" "$GUESTLIST"
kill -TERM "$GUESTLIST"; wait "$GUESTLIST" 2>/dev/null || true
check_counts "Postgres" "psql ${PG_URL%/*}/$DB -Atq -c"
psql "$PG_URL" -q -c "DROP DATABASE $DB WITH (FORCE)"
