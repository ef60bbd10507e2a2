#!/usr/bin/env bash
# The agent API's contract, checked by an outside tool: Schemathesis generates requests from
# the live OpenAPI document (/v1/openapi.json) and checks every answer against it
# (--checks all: no server errors, status codes, content types, response schemas, ...).
#
# usage: tests/contract/schemathesis.sh TENURE_BINARY [DATABASE_URL]
# Without DATABASE_URL it runs on a fresh SQLite file; with a postgres:// server URL it creates
# a scratch database there and drops it afterwards.
set -euo pipefail
bin=$(realpath "$1")
server_url=${2:-}
examples=${SCHEMATHESIS_EXAMPLES:-60}

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export TENURE_DATA_DIR="$work/data" TENURE_BIND="127.0.0.1:$port" TENURE_LOG_LEVEL=warn
# Long-polls answer within two seconds here, so generated ?wait values keep the run short.
export TENURE_LONG_POLL_MAX_SECONDS=2
unset DATABASE_URL TENURE_DATABASE_URL
db=""
if [ -n "$server_url" ]; then
  db="tenure_contract_$$"
  psql -q "$server_url" -c "CREATE DATABASE $db"
  export DATABASE_URL="${server_url%/*}/$db"
fi
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$db" ] && psql -q "$server_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
# The first command creates the database and the first admin; the owner and the agent follow.
"$bin" user add owner --role manager >/dev/null
key=$("$bin" agent add contract-bot --owner owner --purpose "contract tests" | sed -n 's/.*API key (shown once): //p')
[ -n "$key" ] || { echo "no agent key" >&2; exit 1; }
"$bin" serve >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

status=0
schemathesis run "http://127.0.0.1:$port/v1/openapi.json" \
  --checks all \
  --header "Authorization: Bearer $key" \
  --max-examples "$examples" \
  --request-timeout 10 \
  --seed 1 \
  --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines)"
  tail -40 "$work/server.log"
fi
exit "$status"
