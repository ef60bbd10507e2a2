//! Password policy and hashing (argon2id, m=19 MiB, t=2, p=1 as OWASP recommends).
//!
//! Hashing is deliberately slow; callers run these functions on a blocking thread.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use std::sync::OnceLock;

/// Shortest password accepted.
pub const MIN_LEN: usize = 12;
/// Longest password accepted (bounds hashing work for hostile input).
pub const MAX_LEN: usize = 256;

/// A new password that meets the policy; its `Debug` never shows the secret.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

impl NewPassword {
    /// Checks a proposed password for the user `username`.
    pub fn parse(raw: &str, username: &str) -> Result<NewPassword, String> {
        let n = raw.chars().count();
        if n < MIN_LEN {
            return Err(format!("must be at least {MIN_LEN} characters long"));
        }
        if n > MAX_LEN {
            return Err(format!("must be at most {MAX_LEN} characters long"));
        }
        if raw.trim().to_lowercase() == username.to_lowercase() {
            return Err("must not be the user name".into());
        }
        if raw.chars().all(|c| c == raw.chars().next().unwrap_or(' ')) {
            return Err("must not repeat one character".into());
        }
        Ok(NewPassword(raw.to_owned()))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn hasher() -> Argon2<'static> {
    // Constant, valid parameters: Params::new only fails on out-of-range values.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (salt and parameters included).
pub fn hash(password: &str) -> Result<String, String> {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub fn verify(stored: &str, password: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A real hash of a random secret: verifying against it costs the same as for a real user,
/// so sign-in time does not reveal whether a user name exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&generate(24)).unwrap_or_default())
}

/// A random password of `len` characters from an alphabet without look-alikes.
pub fn generate(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_explains_each_refusal() {
        assert!(NewPassword::parse("short", "bob").unwrap_err().contains("at least 12"));
        assert!(
            NewPassword::parse("averyreasonableusername", "averyreasonableusername").unwrap_err().contains("user name")
        );
        assert!(NewPassword::parse("aaaaaaaaaaaaaa", "bob").unwrap_err().contains("repeat"));
        assert!(NewPassword::parse(&"x1".repeat(200), "bob").unwrap_err().contains("at most"));
        assert!(NewPassword::parse("correct horse battery", "bob").is_ok());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = NewPassword::parse("correct horse battery", "bob").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn hash_verifies_only_the_right_password_with_argon2id_parameters() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&h, "correct horse battery"));
        assert!(!verify(&h, "correct horse battery!"));
        assert!(!verify("not a hash", "anything"));
    }

    #[test]
    fn generated_passwords_are_random_and_pass_policy() {
        let a = generate(20);
        assert_eq!(a.len(), 20);
        assert_ne!(a, generate(20));
        assert!(NewPassword::parse(&a, "admin").is_ok());
    }
}
