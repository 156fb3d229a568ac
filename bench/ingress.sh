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

run_all() { # label pid [fake-slack-url]
  for w in events user-changes commands clicks; do
    "$LG" run --target http://127.0.0.1:3000 --secret "$SECRET" --workload "$w" --connections "$CONNECTIONS" \
      --seconds "$SECONDS_PER_RUN" --pid "$2" --label "$1" --slack "${3:-http://127.0.0.1:3901}" 2> "$WORK/ack-$w"
  done
}
acked() { awk '/^acknowledged/ {print $2}' "$WORK/ack-$1"; }

# Nothing lost: every acknowledged delivery is a row; a stranger's user_change and a message
# outside the request channel are no job; every click on a missing request is one reply job
# (`tell`: the clicker is answered).
check_counts() { # label query-command [other jobs before the run]
  local events users clicks rows jobs
  events=$(acked events); users=$(acked user-changes); clicks=$(acked clicks)
  rows=$($2 "SELECT count(*) FROM slack_events")
  jobs=$($2 "SELECT count(*) FROM jobs WHERE kind IN ('respond', 'tell')")
  others=$($2 "SELECT count(*) FROM jobs WHERE kind NOT IN ($NOT_LOAD)")
  echo "$1: $((events + users)) deliveries acknowledged, $rows recorded; $clicks clicks acknowledged, $jobs reply jobs; $others other jobs" >&2
  [ "$rows" -eq $((events + users)) ] && [ "$jobs" -eq "$clicks" ] && [ "$others" -eq "${3:-0}" ] \
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

# Jobs that are not the load's: the scheduler's own (per workspace, made when it first sees one).
NOT_LOAD="'respond', 'tell', 'housekeeping', 'reconcile', 'weekly_digest', 'sync_run', 'poll_invite_requests'"
# The scheduler's own jobs (housekeeping, reconcile, digest) exist before the load: counted first.
others_now() { sleep 1; $1 "SELECT count(*) FROM jobs WHERE kind NOT IN ($NOT_LOAD)"; }

start_guestlist "sqlite://$WORK/bench.db"
BEFORE=$(others_now "sqlite3 $WORK/bench.db")
run_all "Guestlist, SQLite" "$GUESTLIST"
kill -TERM "$GUESTLIST"; wait "$GUESTLIST" 2>/dev/null || true
check_counts "SQLite" "sqlite3 $WORK/bench.db" "$BEFORE"

DB="guestlist_bench_$$"
psql "$PG_URL" -q -c "CREATE DATABASE $DB"
start_guestlist "${PG_URL%/*}/$DB"
BEFORE=$(others_now "psql ${PG_URL%/*}/$DB -Atq -c")
run_all "Guestlist, Postgres" "$GUESTLIST"
kill -TERM "$GUESTLIST"; wait "$GUESTLIST" 2>/dev/null || true
check_counts "Postgres" "psql ${PG_URL%/*}/$DB -Atq -c" "$BEFORE"
psql "$PG_URL" -q -c "DROP DATABASE $DB WITH (FORCE)"

# Installs through OAuth (SQLite): the same workloads, each request routed to its installation
# (T0FAKE, installed through the install page with its token sealed in the database) and run
# with that installation's token: what tenant resolution costs.
"$LG" fake-slack --listen 127.0.0.1:3902 --oauth-client bench.client:bench-client-secret >/dev/null & pids+=($!)
printf '[slack]\nrequest_channel = "CREQUESTS"\n' > "$WORK/guestlist.toml"
GUESTLIST_CONFIG="$WORK/guestlist.toml" SLACK_SIGNING_SECRET="$SECRET" \
  SLACK_CLIENT_ID=bench.client SLACK_CLIENT_SECRET=bench-client-secret \
  GUESTLIST_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)" GUESTLIST_PUBLIC_URL=http://127.0.0.1:3000 \
  SLACK_API_URL=http://127.0.0.1:3902/api DATABASE_URL="sqlite://$WORK/installs.db" GUESTLIST_LISTEN=127.0.0.1:3000 \
  RUST_LOG=warn "$GL" serve > "$WORK/guestlist-installs.log" 2>&1 &
GUESTLIST=$!; pids+=($GUESTLIST)
wait_ready http://127.0.0.1:3000/readyz
curl -sfL -c "$WORK/jar" -b "$WORK/jar" http://127.0.0.1:3000/slack/install | grep -q "installed in Fake" \
  || { echo "the bench install failed" >&2; exit 1; }
BEFORE=$(others_now "sqlite3 $WORK/installs.db") # with the installer's welcome
run_all "Guestlist, SQLite, OAuth install" "$GUESTLIST" http://127.0.0.1:3902
kill -TERM "$GUESTLIST"; wait "$GUESTLIST" 2>/dev/null || true
check_counts "SQLite, OAuth install" "sqlite3 $WORK/installs.db" "$BEFORE"
