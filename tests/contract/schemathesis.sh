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

# Long-polls answer within two seconds here, so generated ?wait values keep the run short.
export TENURE_LONG_POLL_MAX_SECONDS=2
. "$(dirname "$0")/../lib/scratch_tenure.sh"
scratch_prepare contract "$server_url"

# The first command creates the database and the first admin; the owner and the agent follow.
"$bin" user add owner --role manager >/dev/null
key=$("$bin" agent add contract-bot --owner owner --purpose "contract tests" | sed -n 's/.*API key (shown once): //p')
[ -n "$key" ] || { echo "no agent key" >&2; exit 1; }
scratch_serve "$bin"

status=0
schemathesis run "$base/v1/openapi.json" \
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
