#!/usr/bin/env bash
# Runs the independent verifier (verify_export.py, written from docs/evidence.md alone) on real
# exports from a live Tenure: the whole trail and a filtered part, after agents wrote text that
# tests the escaping (quotes, backslashes, control characters, non-ASCII, emoji); and checks
# that the verifier rejects a file with one byte changed.
#
# usage: docs/verifier/check_exports.sh TENURE_BINARY [DATABASE_URL]
# Without DATABASE_URL it runs on a fresh SQLite file; with a postgres:// server URL it creates
# a scratch database there and drops it afterwards.
set -euo pipefail
bin=$(realpath "$1")
server_url=${2:-}
here=$(cd "$(dirname "$0")" && pwd)

. "$here/../../tests/lib/scratch_tenure.sh"
scratch_prepare exports "$server_url"

"$bin" user add owner --role manager >/dev/null
temp=$("$bin" user add aldo --role auditor | sed -n 's/.*at first sign-in): //p')
key=$("$bin" agent add writer-bot --owner owner --purpose "writes odd text" | sed -n 's/.*API key (shown once): //p')
scratch_serve "$bin"

# Text that tests every escaping rule the hash depends on.
for i in 1 2 3; do
  curl -sf "$base/v1/actions" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "{\"capability\": \"notes.write\", \"confidence\": 0.9, \"task_ref\": \"T-$i\",
         \"reasoning\": \"quote \\\" backslash \\\\ tab \\t bell \\u0007 DEL \\u007f é — 😀 </script> line\\u2028sep\",
         \"params\": {\"text\": \"Grüße, $i\", \"n\": $i.5, \"big\": 12345678901234567890}}" >/dev/null
done

# Sign in as the auditor (forced to choose a password first), then download.
jar="$work/cookies"
form() { curl -sf -o /dev/null -b "$jar" -c "$jar" -H "Origin: $base" -H "Referer: $base/login" "$@"; }
form "$base/api/login" --data-urlencode "username=aldo" --data-urlencode "password=$temp" --data-urlencode "next="
form "$base/api/change_password" --data-urlencode "current_password=$temp" \
  --data-urlencode "new_password=an auditor's own password" --data-urlencode "confirm_password=an auditor's own password"
curl -sf -b "$jar" "$base/audit/public-key" -o "$work/key.pub"
curl -sf -b "$jar" "$base/audit/export.jsonl" -o "$work/all.jsonl"
curl -sf -b "$jar" "$base/audit/export.jsonl?kind=action.decided" -o "$work/decided.jsonl"

python3 "$here/verify_export.py" "$work/all.jsonl" "$work/key.pub"
python3 "$here/verify_export.py" "$work/decided.jsonl" "$work/key.pub"
# Tenure's own verifier agrees.
"$bin" audit verify "$work/all.jsonl" --public-key "$work/key.pub"

# One changed byte in a record (a digit of an amount) must be found.
sed '0,/Grüße, 1/s//Grüße, 7/' "$work/all.jsonl" >"$work/tampered.jsonl"
if cmp -s "$work/all.jsonl" "$work/tampered.jsonl"; then echo "the tamper step changed nothing" >&2; exit 1; fi
if python3 "$here/verify_export.py" "$work/tampered.jsonl" "$work/key.pub"; then
  echo "the verifier accepted a tampered export" >&2
  exit 1
fi
echo "a tampered export is refused, as it must be"
