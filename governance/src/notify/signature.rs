//! Signed deliveries: each JSON delivery carries `X-Tenure-Timestamp` (Unix seconds) and
//! `X-Tenure-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the
//! subscription's secret>`. A receiver recomputes it, refuses a timestamp older than a few
//! minutes (a replayed request) and remembers `X-Tenure-Delivery` ids it has seen (a retry of a
//! delivery it already took). docs/notifications.md has a verification snippet.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const DELIVERY_HEADER: &str = "x-tenure-delivery";
pub const EVENT_HEADER: &str = "x-tenure-event";
pub const TIMESTAMP_HEADER: &str = "x-tenure-timestamp";
pub const SIGNATURE_HEADER: &str = "x-tenure-signature";

/// How old a signed timestamp [`verify`] accepts, in seconds.
pub const TOLERANCE_SECONDS: i64 = 300;

fn mac(secret: &str, timestamp: i64, body: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac
}

/// The `X-Tenure-Signature` value of `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    format!("v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// Checks a delivery as a receiver would: the signature matches (compared in constant time)
/// and the timestamp is within [`TOLERANCE_SECONDS`] of `now`.
pub fn verify(secret: &str, timestamp: i64, body: &str, signature: &str, now: i64) -> Result<(), &'static str> {
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err("the timestamp is too old or in the future: a replay?");
    }
    let given = signature.strip_prefix("v1=").and_then(|h| hex::decode(h).ok()).ok_or("not a v1 signature")?;
    mac(secret, timestamp, body).verify_slice(&given).map_err(|_| "the signature does not match")
}

/// A new signing secret: 32 random bytes, hex, with a prefix that says what it is.
pub fn new_secret() -> String {
    format!("whsec_{}", hex::encode(rand::random::<[u8; 32]>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_secret_body_and_time() {
        let body = r#"{"kind":"approval.requested"}"#;
        let sig = sign("whsec_test", 1_800_000_000, body);
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64);
        assert_eq!(verify("whsec_test", 1_800_000_000, body, &sig, 1_800_000_010), Ok(()));
        assert!(verify("whsec_other", 1_800_000_000, body, &sig, 1_800_000_010).is_err());
        assert!(verify("whsec_test", 1_800_000_000, "{}", &sig, 1_800_000_010).is_err());
        assert!(verify("whsec_test", 1_800_000_001, body, &sig, 1_800_000_010).is_err(), "the time is signed");
        let replayed = verify("whsec_test", 1_800_000_000, body, &sig, 1_800_000_000 + TOLERANCE_SECONDS + 1);
        assert_eq!(replayed, Err("the timestamp is too old or in the future: a replay?"));
        assert_eq!(verify("whsec_test", 1_800_000_000, body, "sha256=00", 1_800_000_000), Err("not a v1 signature"));
    }

    #[test]
    fn the_signature_is_the_documented_hmac() {
        // Python's hmac.new(b"whsec_example", b"1700000000.{}", hashlib.sha256).hexdigest(),
        // as docs/notifications.md's snippet computes it.
        assert_eq!(
            sign("whsec_example", 1_700_000_000, "{}"),
            "v1=7fd3f63e358a5b466ad16eb9b92640b6639a1d1111041bfc08779d1bacd106f2"
        );
        assert_ne!(new_secret(), new_secret());
        assert_eq!(new_secret().len(), 6 + 64);
    }
}
