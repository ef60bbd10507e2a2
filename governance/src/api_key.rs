//! Agent API keys: `tnr_<prefix>_<secret>`. The prefix (8 characters) identifies the key in
//! lists and lookups; the secret carries 256 random bits. Only a SHA-256 hash is stored —
//! enough for keys this random, and fast on every API call.

use rand::Rng;
use sha2::{Digest, Sha256};

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn random_chars(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// A freshly generated key: the full secret (shown once) and what is stored.
#[derive(Clone)]
pub struct GeneratedKey {
    /// The whole key, `tnr_<prefix>_<secret>`; never stored, never logged.
    pub secret: String,
    /// The public, listed part.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub hash: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey").field("prefix", &self.prefix).field("secret", &"<redacted>").finish()
    }
}

/// Generates a key: 8 prefix characters and 43 secret characters (43 × log2(62) ≈ 256 bits).
pub fn generate() -> GeneratedKey {
    let prefix = random_chars(8);
    let secret = format!("tnr_{prefix}_{}", random_chars(43));
    let hash = hash(&secret);
    GeneratedKey { secret, prefix, hash }
}

/// SHA-256 of a presented key, hex.
pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The prefix of a presented key, if it has the right shape.
pub fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("tnr_")?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 8 && secret.len() == 43 && key.bytes().skip(4).all(|b| b == b'_' || b.is_ascii_alphanumeric()))
        .then_some(prefix)
}

/// Compares two hex hashes in time independent of where they differ.
pub fn hashes_match(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_documented_shape_and_verify() {
        let k = generate();
        assert!(k.secret.starts_with(&format!("tnr_{}_", k.prefix)));
        assert_eq!(k.secret.len(), 4 + 8 + 1 + 43);
        assert_eq!(prefix_of(&k.secret), Some(k.prefix.as_str()));
        assert!(hashes_match(&hash(&k.secret), &k.hash));
        assert!(!format!("{k:?}").contains(&k.secret));
    }

    #[test]
    fn keys_are_unique_and_malformed_keys_have_no_prefix() {
        assert_ne!(generate().secret, generate().secret);
        for bad in
            ["", "tnr_", "tnr_short_x", "xyz_abcdefgh_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "tnr_abcdefgh_bad!"]
        {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn hash_comparison_requires_equality() {
        assert!(hashes_match("abcd", "abcd"));
        assert!(!hashes_match("abcd", "abce"));
        assert!(!hashes_match("abcd", "abc"));
    }
}
