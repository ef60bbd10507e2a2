//! Signed checkpoints of the evidence chain: Ed25519 signatures over a sequence number and the
//! chain head at that point, so an auditor holding only the public key can tell that a copy
//! of the trail is complete up to there and unaltered. Pure functions; the key lives with the
//! server.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A signed statement: "the chain's record `seq` has hash `head_hash`".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub head_hash: String,
    /// As it enters the signed message.
    #[serde(with = "crate::evidence::hash_time")]
    pub signed_at: DateTime<Utc>,
    /// Which key signed it (see [`key_id`]).
    pub key_id: String,
    /// Ed25519 signature of [`message`], lowercase hex.
    pub signature: String,
}

/// The bytes a checkpoint signs: `tenure-checkpoint-v1`, the sequence number, the head hash and
/// the signing time (as in the evidence format), one per line.
pub fn message(seq: i64, head_hash: &str, signed_at: &DateTime<Utc>) -> Vec<u8> {
    format!("tenure-checkpoint-v1\n{seq}\n{head_hash}\n{}", crate::evidence::format_time(signed_at)).into_bytes()
}

/// A short, stable name for a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(public: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(public.as_bytes()))[..16].to_owned()
}

/// A signing key from 32 random bytes (hex in files and settings).
pub fn key_from_hex(text: &str) -> Result<SigningKey, String> {
    let bytes = hex::decode(text.trim()).map_err(|e| format!("not hex: {e}"))?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| "an Ed25519 key is 32 bytes (64 hex digits)".to_owned())?;
    Ok(SigningKey::from_bytes(&seed))
}

/// A public key from its hex form.
pub fn public_from_hex(text: &str) -> Result<VerifyingKey, String> {
    let bytes = hex::decode(text.trim()).map_err(|e| format!("not hex: {e}"))?;
    let raw: [u8; 32] = bytes.try_into().map_err(|_| "a public key is 32 bytes (64 hex digits)".to_owned())?;
    VerifyingKey::from_bytes(&raw).map_err(|e| format!("not an Ed25519 public key: {e}"))
}

/// A new random signing key, as hex.
pub fn generate_key_hex() -> String {
    let seed: [u8; 32] = rand::random();
    hex::encode(seed)
}

/// Signs the chain head `seq` / `head_hash` at `signed_at`.
pub fn sign(key: &SigningKey, seq: i64, head_hash: &str, signed_at: DateTime<Utc>) -> Checkpoint {
    let sig = key.sign(&message(seq, head_hash, &signed_at));
    Checkpoint {
        seq,
        head_hash: head_hash.to_owned(),
        signed_at,
        key_id: key_id(&key.verifying_key()),
        signature: hex::encode(sig.to_bytes()),
    }
}

/// Checks a checkpoint's signature with `public`.
pub fn verify(public: &VerifyingKey, c: &Checkpoint) -> Result<(), String> {
    if c.key_id != key_id(public) {
        return Err(format!("checkpoint {} was signed by key {}, not by {}", c.seq, c.key_id, key_id(public)));
    }
    let raw = hex::decode(&c.signature).map_err(|_| format!("checkpoint {}: the signature is not hex", c.seq))?;
    let raw: [u8; 64] = raw.try_into().map_err(|_| format!("checkpoint {}: a signature is 64 bytes", c.seq))?;
    public
        .verify(&message(c.seq, &c.head_hash, &c.signed_at), &Signature::from_bytes(&raw))
        .map_err(|_| format!("checkpoint {}: the signature does not match (altered, or another key)", c.seq))
}

/// Whether the chain has grown enough, or long enough ago, to sign a new checkpoint.
pub fn due(
    head_seq: i64,
    last: Option<(i64, DateTime<Utc>)>,
    now: DateTime<Utc>,
    every_records: i64,
    every_minutes: i64,
) -> bool {
    match last {
        None => head_seq > 0,
        Some((seq, at)) => {
            head_seq > seq && (head_seq - seq >= every_records || now - at >= chrono::Duration::minutes(every_minutes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn key() -> SigningKey {
        key_from_hex(&"11".repeat(32)).unwrap()
    }

    #[test]
    fn a_checkpoint_verifies_only_with_its_key_and_unaltered() {
        let k = key();
        let at = Utc::now();
        let c = sign(&k, 42, &"ab".repeat(32), at);
        assert_eq!(verify(&k.verifying_key(), &c), Ok(()));
        let other = key_from_hex(&"22".repeat(32)).unwrap().verifying_key();
        assert!(verify(&other, &c).unwrap_err().contains("signed by key"));
        for altered in [
            Checkpoint { seq: 43, ..c.clone() },
            Checkpoint { head_hash: "cd".repeat(32), ..c.clone() },
            Checkpoint { signed_at: at + Duration::seconds(1), ..c.clone() },
        ] {
            assert!(verify(&k.verifying_key(), &altered).unwrap_err().contains("does not match"));
        }
    }

    #[test]
    fn keys_round_trip_through_hex_and_bad_keys_say_why() {
        let hexed = generate_key_hex();
        let k = key_from_hex(&hexed).unwrap();
        let public = hex::encode(k.verifying_key().as_bytes());
        assert_eq!(public_from_hex(&public).unwrap(), k.verifying_key());
        assert_eq!(key_id(&k.verifying_key()).len(), 16);
        assert!(key_from_hex("abc").unwrap_err().contains("hex"));
        assert!(key_from_hex("abcd").unwrap_err().contains("32 bytes"));
    }

    #[test]
    fn checkpoints_fall_due_by_count_or_by_time() {
        let now = Utc::now();
        assert!(!due(0, None, now, 1000, 10), "an empty chain needs none");
        assert!(due(5, None, now, 1000, 10));
        assert!(!due(500, Some((400, now)), now, 1000, 10));
        assert!(due(1400, Some((400, now)), now, 1000, 10));
        assert!(due(401, Some((400, now - Duration::minutes(11))), now, 1000, 10));
        assert!(!due(400, Some((400, now - Duration::hours(5))), now, 1000, 10), "nothing new to sign");
    }
}
