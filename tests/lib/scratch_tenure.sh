# Sourced by the scripts that check a live Tenure from outside (tests/contract,
# docs/verifier): a scratch Tenure of their own — a fresh data folder and a free port, on a
# fresh SQLite file or on a scratch PostgreSQL database created on SERVER_URL — cleaned up
# however the script ends.
#
#   scratch_prepare NAME [SERVER_URL]   sets work, port, base; exports TENURE_*/DATABASE_URL
#   scratch_serve BIN                   starts `BIN serve` and waits until it answers

scratch_prepare() {
  scratch_server_url=${2:-}
  work=$(mktemp -d)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  export TENURE_DATA_DIR="$work/data" TENURE_BIND="127.0.0.1:$port" TENURE_LOG_LEVEL=warn
  unset DATABASE_URL TENURE_DATABASE_URL
  scratch_db=""
  if [ -n "$scratch_server_url" ]; then
    scratch_db="tenure_${1}_$$"
    psql -q "$scratch_server_url" -c "CREATE DATABASE $scratch_db"
    export DATABASE_URL="${scratch_server_url%/*}/$scratch_db"
  fi
  scratch_pid=""
  trap scratch_cleanup EXIT
  cd "$work"
}

scratch_cleanup() {
  [ -n "$scratch_pid" ] && kill "$scratch_pid" 2>/dev/null && wait "$scratch_pid" 2>/dev/null
  [ -n "$scratch_db" ] && psql -q "$scratch_server_url" -c "DROP DATABASE IF EXISTS $scratch_db WITH (FORCE)"
  rm -rf "$work"
}

scratch_serve() {
  "$1" serve >"$work/server.log" 2>&1 &
  scratch_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "$base/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "tenure did not start:" >&2
  cat "$work/server.log" >&2
  return 1
}
