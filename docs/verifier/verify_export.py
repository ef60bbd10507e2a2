#!/usr/bin/env python3
"""An independent verifier for Tenure's JSONL evidence exports, written from docs/evidence.md
alone (it shares no code with Tenure), so that the documentation and the exported bytes cannot
drift apart: CI runs it on real exports from SQLite and PostgreSQL.

usage: verify_export.py EXPORT.jsonl PUBLIC_KEY_FILE
Prints what it verified and exits 0, or names the first record that fails and exits 1.
Needs the `cryptography` package for Ed25519.
"""
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64
FIELDS = ["seq", "recorded_at", "actor_kind", "actor_id", "actor_name", "kind",
          "subject_kind", "subject_id", "summary", "details"]


def canonical_bytes(record):
    """A compact JSON array of the ten fields, in order; strings escaped as RFC 8259 requires
    and nothing more (the documentation's "as produced by serde_json")."""
    return json.dumps([record[f] for f in FIELDS], separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(prev_hash, record):
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical_bytes(record)).hexdigest()


def check_checkpoint(checkpoint, public_hex):
    public = bytes.fromhex(public_hex.strip())
    key_id = hashlib.sha256(public).hexdigest()[:16]
    if checkpoint["key_id"] != key_id:
        raise ValueError(f"the checkpoint names key {checkpoint['key_id']}, the public key is {key_id}")
    message = f"tenure-checkpoint-v1\n{checkpoint['seq']}\n{checkpoint['head_hash']}\n{checkpoint['signed_at']}"
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(bytes.fromhex(checkpoint["signature"]), message.encode("utf-8"))
    except InvalidSignature:
        raise ValueError("the checkpoint's signature does not verify with this public key") from None


def verify(lines, public_hex):
    manifest = json.loads(lines[0])["manifest"]
    checkpoint = manifest["checkpoint"]
    check_checkpoint(checkpoint, public_hex)
    unfiltered = not any(v not in (None, "", []) for v in (manifest.get("filter") or {}).values())
    previous = None
    count = 0
    for line in lines[1:]:
        if not line.strip():
            continue
        r = json.loads(line)
        count += 1
        seq = r["seq"]
        if record_hash(r["prev_hash"], r) != r["hash"]:
            raise ValueError(f"record {seq}: its hash does not match its fields")
        if previous is not None:
            if seq <= previous["seq"]:
                raise ValueError(f"record {seq}: numbers must increase (after {previous['seq']})")
            if seq == previous["seq"] + 1 and r["prev_hash"] != previous["hash"]:
                raise ValueError(f"record {seq}: prev_hash is not record {previous['seq']}'s hash")
            if unfiltered and seq != previous["seq"] + 1:
                raise ValueError(f"record {seq}: records {previous['seq'] + 1}..{seq - 1} are missing")
        elif unfiltered and (seq != 1 or r["prev_hash"] != GENESIS):
            raise ValueError(f"record {seq}: an unfiltered export starts at record 1 on the genesis hash")
        if seq > checkpoint["seq"]:
            raise ValueError(f"record {seq} comes after the signed checkpoint {checkpoint['seq']}")
        if seq == checkpoint["seq"] and r["hash"] != checkpoint["head_hash"]:
            raise ValueError(f"record {seq}: not the hash the checkpoint signed")
        previous = r
    if unfiltered and (previous is None or previous["seq"] != checkpoint["seq"]):
        raise ValueError("the export does not end at the signed checkpoint (a truncated tail)")
    if manifest["count"] != count:
        raise ValueError(f"the manifest counts {manifest['count']} records, the file holds {count}")
    if previous is not None and manifest["last"] != [previous["seq"], previous["hash"]]:
        raise ValueError("the manifest's last record is not the file's last record")
    return count, checkpoint["seq"], unfiltered


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.read().split("\n")
    with open(sys.argv[2], encoding="utf-8") as f:
        public_hex = f.read()
    try:
        count, head, unfiltered = verify(lines, public_hex)
    except (ValueError, KeyError) as e:
        print(f"NOT VERIFIED: {e}")
        return 1
    scope = "complete up to" if unfiltered else "unaltered, filtered, signed at"
    print(f"verified: {count} records, {scope} checkpoint {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
