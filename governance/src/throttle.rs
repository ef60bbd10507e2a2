//! Sign-in throttling, as pure rules: which counters a failed sign-in moves and when each
//! locks. Three scopes, so that one person mistyping behind a shared address (a NAT, a reverse
//! proxy) locks nobody but themselves on that address:
//!
//! - the account on one address: locks after `max_failures` failures in the window;
//! - the account from any address: after 3 × `max_failures` (guessing one account from many places);
//! - the address for any account: after 10 × `max_failures` (spraying many accounts).
//!
//! Each lock lasts from the last failure for a delay that doubles with every failure past the
//! threshold: 30 s, 1 min, 2 min, … up to the window. A successful sign-in clears the
//! account's counters (on that address and overall); the address's stays.

use chrono::{DateTime, Duration, Utc};

/// The configured limits.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Failures of one account on one address that lock it there.
    pub max_failures: u64,
    /// How far back failures count, and the longest a lock lasts.
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy { max_failures: 5, window: Duration::minutes(15) }
    }
}

/// The first lock's length; each further failure doubles it.
pub const FIRST_DELAY_SECS: i64 = 30;

/// What a counter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One account signing in from one address.
    AccountOnAddress,
    /// One account, from anywhere.
    Account,
    /// One address, for any account.
    Address,
}

impl Scope {
    /// Every scope, the narrowest first.
    pub const ALL: [Scope; 3] = [Scope::AccountOnAddress, Scope::Account, Scope::Address];

    /// Failures in the window from which this scope locks.
    pub fn threshold(self, policy: &ThrottlePolicy) -> u64 {
        let m = policy.max_failures.max(1);
        match self {
            Scope::AccountOnAddress => m,
            Scope::Account => 3 * m,
            Scope::Address => 10 * m,
        }
    }

    /// The counter's key for user name `name` (lower case) signing in from `addr`.
    pub fn key(self, name: &str, addr: &str) -> String {
        match self {
            Scope::AccountOnAddress => format!("pair:{name}|{addr}"),
            Scope::Account => format!("user:{name}"),
            Scope::Address => format!("addr:{addr}"),
        }
    }

    /// Whether a successful sign-in clears this counter.
    pub fn cleared_by_success(self) -> bool {
        self != Scope::Address
    }

    /// The scope of a stored key, with what it names (user name, address, or both), for the
    /// admins' page.
    pub fn of_key(key: &str) -> Option<(Scope, String)> {
        let (kind, rest) = key.split_once(':')?;
        let scope = match kind {
            "pair" => Scope::AccountOnAddress,
            "user" => Scope::Account,
            "addr" => Scope::Address,
            _ => return None,
        };
        let named = match scope {
            Scope::AccountOnAddress => rest.split_once('|').map_or(rest.to_owned(), |(n, a)| format!("{n} from {a}")),
            _ => rest.to_owned(),
        };
        Some((scope, named))
    }

    /// How a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Scope::AccountOnAddress => "account on one address",
            Scope::Account => "account from any address",
            Scope::Address => "address, any account",
        }
    }
}

/// Until when a counter with `failures` in the window, the last at `last`, is locked; none
/// when it is under its threshold.
pub fn locked_until(
    scope: Scope,
    policy: &ThrottlePolicy,
    failures: u64,
    last: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let threshold = scope.threshold(policy);
    let last = last?;
    if failures < threshold {
        return None;
    }
    let doublings = (failures - threshold).min(20) as u32;
    let delay = Duration::seconds(FIRST_DELAY_SECS.saturating_mul(1 << doublings)).min(policy.window);
    Some(last + delay)
}

/// Seconds to wait from `now` until `until`, at least 1.
pub fn retry_after_secs(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    (until - now).num_seconds().max(1) as u64
}

/// A wait in words: "45 seconds", "2 minutes 30 seconds".
pub fn wait_in_words(secs: u64) -> String {
    let (m, s) = (secs / 60, secs % 60);
    let unit = |n: u64, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
    match (m, s) {
        (0, s) => unit(s, "second"),
        (m, 0) => unit(m, "minute"),
        (m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn each_scope_locks_at_its_own_threshold_with_growing_delays() {
        let p = ThrottlePolicy { max_failures: 5, window: Duration::minutes(15) };
        assert_eq!(locked_until(Scope::AccountOnAddress, &p, 4, Some(at(0))), None);
        assert_eq!(locked_until(Scope::AccountOnAddress, &p, 5, Some(at(0))), Some(at(30)));
        assert_eq!(locked_until(Scope::AccountOnAddress, &p, 6, Some(at(0))), Some(at(60)));
        assert_eq!(locked_until(Scope::AccountOnAddress, &p, 8, Some(at(0))), Some(at(240)));
        assert_eq!(locked_until(Scope::AccountOnAddress, &p, 60, Some(at(0))), Some(at(900)), "never past the window");
        assert_eq!(locked_until(Scope::Account, &p, 14, Some(at(0))), None);
        assert_eq!(locked_until(Scope::Account, &p, 15, Some(at(0))), Some(at(30)));
        assert_eq!(locked_until(Scope::Address, &p, 49, Some(at(0))), None);
        assert_eq!(locked_until(Scope::Address, &p, 50, Some(at(0))), Some(at(30)));
        assert_eq!(locked_until(Scope::Address, &p, 50, None), None, "no failure, no lock");
    }

    #[test]
    fn keys_read_back_and_waits_read_as_words() {
        for scope in Scope::ALL {
            let key = scope.key("rita", "10.0.0.7");
            assert_eq!(Scope::of_key(&key).map(|(s, _)| s), Some(scope));
        }
        assert_eq!(Scope::of_key("pair:rita|10.0.0.7").unwrap().1, "rita from 10.0.0.7");
        assert_eq!(Scope::of_key("other:x"), None);
        assert_eq!(wait_in_words(1), "1 second");
        assert_eq!(wait_in_words(45), "45 seconds");
        assert_eq!(wait_in_words(150), "2 minutes 30 seconds");
        assert_eq!(wait_in_words(900), "15 minutes");
        assert_eq!(retry_after_secs(at(10), at(5)), 1);
    }
}
