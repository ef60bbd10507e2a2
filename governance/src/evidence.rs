//! The evidence chain, as pure functions: what a record holds, its canonical bytes, and how
//! each record's hash covers the previous hash. The format is documented in docs/evidence.md.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// `user`, `agent` or `system`.
    pub kind: String,
    /// The user's or agent's id; none for the system.
    pub id: Option<i64>,
    /// A readable name at the time of the event.
    pub name: String,
}

impl Actor {
    /// A console user.
    pub fn user(id: i64, name: &str) -> Actor {
        Actor { kind: "user".into(), id: Some(id), name: name.into() }
    }

    /// Tenure itself (start-up, background loops, the CLI).
    pub fn system(name: &str) -> Actor {
        Actor { kind: "system".into(), id: None, name: name.into() }
    }
}

/// A record about to be appended: everything but its position and hashes.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// Who acted.
    pub actor: Actor,
    /// What happened, dotted (`user.created`, `auth.login_failed`, ...).
    pub kind: &'static str,
    /// What kind of thing it happened to (`user`, `action`, ...).
    pub subject_kind: &'static str,
    /// Which one.
    pub subject_id: String,
    /// One readable sentence.
    pub summary: String,
    /// Structured detail (before/after, reasons); stored as canonical JSON text (sorted keys).
    pub details: serde_json::Value,
}

/// A record as stored: the draft's fields plus its position, time and hashes. Serialised (in
/// exports) with `recorded_at` written exactly as the hash covers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub seq: i64,
    #[serde(with = "hash_time")]
    pub recorded_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub summary: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The timestamp as it enters the hash: RFC 3339, UTC, exactly six fractional digits.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A timestamp in JSON as [`format_time`] writes it (serde's default would drop trailing zeros
/// of the fraction, and a verifier hashing the exported text would then reject an intact
/// record); read back from any RFC 3339 text.
pub mod hash_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `t` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(t))
    }

    /// Reads an RFC 3339 timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

/// The canonical bytes of a record: a compact JSON array of its fields in a fixed order.
pub fn canonical_bytes(r: &Record) -> Vec<u8> {
    let fields = (
        r.seq,
        format_time(&r.recorded_at),
        &r.actor_kind,
        r.actor_id,
        &r.actor_name,
        &r.kind,
        &r.subject_kind,
        &r.subject_id,
        &r.summary,
        &r.details,
    );
    // A tuple is written as a JSON array; writing into a Vec cannot fail.
    serde_json::to_vec(&fields).unwrap_or_default()
}

/// SHA-256 over the previous hash (hex), a newline, and the canonical bytes; lowercase hex.
pub fn chain_hash(prev_hash: &str, canonical: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical);
    hex::encode(h.finalize())
}

/// The hash a record must carry, recomputed from its fields and its `prev_hash`.
pub fn record_hash(r: &Record) -> String {
    chain_hash(&r.prev_hash, &canonical_bytes(r))
}

/// Seals a draft as the record after `(prev_seq, prev_hash)`.
pub fn seal(draft: &Draft, prev_seq: i64, prev_hash: &str, at: DateTime<Utc>) -> Record {
    seal_with(draft, crate::canonical::canonical_json(&draft.details), prev_seq, prev_hash, at)
}

/// A draft whose details are already canonical text: sealing it, where appends are
/// serialised, only numbers, times and hashes it.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub draft: Draft,
    /// `draft.details` as canonical JSON.
    pub details: String,
}

impl Prepared {
    pub fn new(draft: Draft) -> Prepared {
        let details = crate::canonical::canonical_json(&draft.details);
        Prepared { draft, details }
    }

    /// Seals it as the record after `(prev_seq, prev_hash)`, as [`seal`] would the draft.
    pub fn seal(&self, prev_seq: i64, prev_hash: &str, at: DateTime<Utc>) -> Record {
        seal_with(&self.draft, self.details.clone(), prev_seq, prev_hash, at)
    }
}

fn seal_with(draft: &Draft, details: String, prev_seq: i64, prev_hash: &str, at: DateTime<Utc>) -> Record {
    let mut r = Record {
        seq: prev_seq + 1,
        recorded_at: at,
        actor_kind: draft.actor.kind.clone(),
        actor_id: draft.actor.id,
        actor_name: draft.actor.name.clone(),
        kind: draft.kind.to_owned(),
        subject_kind: draft.subject_kind.to_owned(),
        subject_id: draft.subject_id.clone(),
        summary: draft.summary.clone(),
        details,
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    };
    r.hash = chain_hash(prev_hash, &canonical_bytes(&r));
    r
}

/// Why a chain does not verify, naming the first bad record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The sequence number of the first record that fails.
    pub seq: i64,
    /// What is wrong with it.
    pub reason: String,
}

/// Checks records in order, starting after `(prev_seq, prev_hash)` (use `0, GENESIS_HASH` for
/// the whole chain): consecutive numbers, each `prev_hash` linking, each hash recomputing.
pub fn verify<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    mut prev_seq: i64,
    prev_hash: &str,
) -> Result<(), Broken> {
    let mut prev_hash = prev_hash.to_owned();
    for r in records {
        if r.seq != prev_seq + 1 {
            return Err(Broken { seq: r.seq, reason: format!("expected sequence {} here", prev_seq + 1) });
        }
        if r.prev_hash != prev_hash {
            return Err(Broken { seq: r.seq, reason: "previous hash does not link to the record before".into() });
        }
        if chain_hash(&r.prev_hash, &canonical_bytes(r)) != r.hash {
            return Err(Broken { seq: r.seq, reason: "contents do not match the record's hash".into() });
        }
        prev_seq = r.seq;
        prev_hash.clone_from(&r.hash);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft(n: usize) -> Draft {
        Draft {
            actor: Actor::user(1, "admin"),
            kind: "user.created",
            subject_kind: "user",
            subject_id: n.to_string(),
            summary: format!("created user {n}"),
            details: serde_json::json!({"roles": ["reviewer"], "n": n}),
        }
    }

    fn chain(n: usize) -> Vec<Record> {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let mut out: Vec<Record> = Vec::new();
        for i in 0..n {
            let (ps, ph) = out.last().map(|r| (r.seq, r.hash.clone())).unwrap_or((0, GENESIS_HASH.into()));
            out.push(seal(&draft(i), ps, &ph, at));
        }
        out
    }

    #[test]
    fn an_exported_record_carries_its_time_as_the_hash_covers_it() {
        // 222 ms: serde's default writes ".222Z", the hash covers ".222000Z".
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(222);
        let r = seal(&draft(0), 0, GENESIS_HASH, at);
        let line: serde_json::Value = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(line["recorded_at"], "2026-11-25T10:00:00.222000Z");
        let back: Record = serde_json::from_value(line).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn a_sealed_chain_verifies() {
        let c = chain(5);
        assert_eq!(c[0].prev_hash, GENESIS_HASH);
        assert_eq!(c[4].seq, 5);
        assert_eq!(verify(&c, 0, GENESIS_HASH), Ok(()));
    }

    #[test]
    fn the_hash_is_stable_for_the_documented_encoding() {
        let c = chain(1);
        let canonical = String::from_utf8(canonical_bytes(&c[0])).unwrap();
        assert_eq!(
            canonical,
            r#"[1,"2026-11-25T10:00:00.000000Z","user",1,"admin","user.created","user","0","created user 0","{\"n\":0,\"roles\":[\"reviewer\"]}"]"#
        );
        assert_eq!(c[0].hash, chain_hash(GENESIS_HASH, canonical.as_bytes()));
        assert_eq!(c[0].hash.len(), 64);
    }

    #[test]
    fn a_prepared_draft_seals_to_the_same_record() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let d = draft(3);
        assert_eq!(Prepared::new(d.clone()).seal(7, GENESIS_HASH, at), seal(&d, 7, GENESIS_HASH, at));
    }

    #[test]
    fn edits_deletions_insertions_and_reorders_are_named() {
        let mut edited = chain(4);
        edited[2].summary.push('!');
        assert_eq!(verify(&edited, 0, GENESIS_HASH).unwrap_err().seq, 3);

        let mut deleted = chain(4);
        deleted.remove(1);
        assert_eq!(verify(&deleted, 0, GENESIS_HASH).unwrap_err().seq, 3);

        let mut reordered = chain(4);
        reordered.swap(1, 2);
        assert_eq!(verify(&reordered, 0, GENESIS_HASH).unwrap_err().seq, 3);

        let mut relinked = chain(4);
        relinked[3].prev_hash = relinked[1].hash.clone();
        assert!(verify(&relinked, 0, GENESIS_HASH).unwrap_err().reason.contains("link"));
    }
}
