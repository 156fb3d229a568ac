#!/usr/bin/env bash
# Wake-ups across replicas on Postgres: replica A takes clicks and runs no jobs
# (jobs.workers = 0); replica B runs jobs and polls only once a minute. Each click's reply can
# only reach its response_url quickly if A's commit wakes B (LISTEN/NOTIFY).
#   bench/wakeups.sh [clicks]     (Postgres at $BENCH_POSTGRES_URL, default the local one)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT="${1:-200}"
PG_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
SECRET="bench-secret"
cargo build --release -q --bin guestlist --example loadgen
GL=target/release/guestlist
LG=target/release/examples/loadgen
WORK=$(mktemp -d)
pids=()
DB="guestlist_wakeups_$$"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  psql "$PG_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
"$LG" fake-slack --listen 127.0.0.1:3901 >/dev/null & pids+=($!)
psql "$PG_URL" -q -c "CREATE DATABASE $DB"
start() { # name port jobs-section
  mkdir -p "$WORK/$1"
  printf '[slack]\nrequest_channel = "CREQUESTS"\n[jobs]\n%s\n' "$3" > "$WORK/$1/guestlist.toml"
  GUESTLIST_CONFIG="$WORK/$1/guestlist.toml" SLACK_SIGNING_SECRET="$SECRET" SLACK_BOT_TOKEN=xoxb-bench \
    SLACK_API_URL=http://127.0.0.1:3901/api DATABASE_URL="${PG_URL%/*}/$DB" GUESTLIST_LISTEN="127.0.0.1:$2" RUST_LOG=warn \
    "$GL" serve > "$WORK/$1.log" 2>&1 & pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "$1 not ready" >&2; cat "$WORK/$1.log" >&2; exit 1
}
start ingress-a 3000 "workers = 0"
start worker-b 3002 "poll_interval_ms = 60000"
sleep 1
"$LG" wakeups --target http://127.0.0.1:3000 --secret "$SECRET" --count "$COUNT"
