//! Offline verification of exports: a good file passes; each kind of tampering is named.

use super::*;
use crate::checkpoint::{key_from_hex, sign};
use crate::evidence::{Actor, Draft, seal};
use ed25519_dalek::SigningKey;

fn key() -> SigningKey {
    key_from_hex(&"42".repeat(32)).unwrap()
}

fn chain(n: i64) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    let (mut seq, mut hash) = (0, GENESIS_HASH.to_owned());
    for i in 0..n {
        let draft = Draft {
            actor: Actor::system("test"),
            kind: if i % 2 == 0 { "action.decided" } else { "action.approved" },
            subject_kind: "action",
            subject_id: i.to_string(),
            summary: format!("record number {i}"),
            details: serde_json::json!({"i": i}),
        };
        let r = seal(&draft, seq, &hash, Utc::now());
        seq = r.seq;
        hash = r.hash.clone();
        out.push(r);
    }
    out
}

fn file(records: &[Record], filter: ExportFilter, k: &SigningKey) -> Vec<String> {
    let head = records.last().map(|r| (r.seq, r.hash.clone()));
    let checkpoint = head.as_ref().map(|(s, h)| sign(k, *s, h, Utc::now()));
    let kept: Vec<&Record> =
        records.iter().filter(|r| filter.kind.as_deref().is_none_or(|kind| r.kind == kind)).collect();
    let m = Manifest {
        format: FORMAT.into(),
        exported_at: Utc::now(),
        exported_by: "aldo".into(),
        filter,
        count: kept.len() as u64,
        first: kept.first().map(|r| (r.seq, r.hash.clone())),
        last: kept.last().map(|r| (r.seq, r.hash.clone())),
        checkpoint,
    };
    std::iter::once(manifest_line(&m)).chain(kept.into_iter().map(record_line)).collect()
}

fn check(lines: &[String]) -> Result<Verified, String> {
    verify_lines(lines.iter().map(|l| Ok::<_, String>(l.clone())), &key().verifying_key())
}

#[test]
fn an_untouched_export_verifies_to_its_signed_checkpoint() {
    let lines = file(&chain(10), ExportFilter::default(), &key());
    assert_eq!(check(&lines), Ok(Verified { count: 10, chain_complete: true, checkpoint_seq: Some(10) }));
}

#[test]
fn one_changed_byte_is_found() {
    let mut lines = file(&chain(10), ExportFilter::default(), &key());
    lines[4] = lines[4].replace("record number 3", "record number 8");
    assert!(check(&lines).unwrap_err().contains("record 4 (line 5): its hash does not match"));
}

#[test]
fn deleted_reordered_inserted_and_truncated_records_are_found() {
    let good = file(&chain(10), ExportFilter::default(), &key());
    let mut deleted = good.clone();
    deleted.remove(5);
    assert!(check(&deleted).unwrap_err().contains("records 5 to 5 are missing"), "{:?}", check(&deleted));
    let mut reordered = good.clone();
    reordered.swap(3, 4);
    assert!(check(&reordered).unwrap_err().contains("out of order"));
    let mut truncated = good.clone();
    truncated.truncate(8);
    assert!(check(&truncated).unwrap_err().contains("records are missing at the end"), "{:?}", check(&truncated));
    // A forged record with a consistent hash of its own still breaks the link.
    let mut inserted = good.clone();
    let mut fake: Record = serde_json::from_str(&good[6]).unwrap();
    fake.summary = "nothing happened".into();
    fake.hash = record_hash(&fake);
    inserted[6] = record_line(&fake);
    assert!(check(&inserted).unwrap_err().contains("does not link"), "{:?}", check(&inserted));
    let mut first_gone = good.clone();
    first_gone.remove(1);
    assert!(check(&first_gone).unwrap_err().contains("records 1 to 1 are missing"));
}

#[test]
fn the_manifest_and_the_signature_are_checked_too() {
    let good = file(&chain(5), ExportFilter::default(), &key());
    let other = key_from_hex(&"43".repeat(32)).unwrap();
    let forged = file(&chain(5), ExportFilter::default(), &other);
    assert!(check(&forged).unwrap_err().contains("signed by key"));
    let mut count = good.clone();
    count[0] = count[0].replace("\"count\":5", "\"count\":6");
    assert!(check(&count).unwrap_err().contains("announces 6 records"));
    let mut unsigned = good.clone();
    let mut m: serde_json::Value = serde_json::from_str(&unsigned[0]).unwrap();
    m["manifest"]["checkpoint"] = serde_json::Value::Null;
    unsigned[0] = m.to_string();
    assert!(check(&unsigned).unwrap_err().contains("no signed checkpoint"));
    assert!(check(&[]).unwrap_err().contains("empty"));
}

#[test]
fn a_filtered_export_checks_each_record_and_the_order() {
    let filter = ExportFilter { kind: Some("action.approved".into()), ..ExportFilter::default() };
    let lines = file(&chain(10), filter.clone(), &key());
    assert_eq!(check(&lines), Ok(Verified { count: 5, chain_complete: false, checkpoint_seq: Some(10) }));
    let mut edited = lines.clone();
    edited[2] = edited[2].replace("record number 3", "record number 4");
    assert!(check(&edited).unwrap_err().contains("does not match its contents"));
}

/// The CSV form of the same export: the header, one row per record, and the manifest apart.
fn csv_file(lines: &[String]) -> (String, String) {
    let rows: String = lines[1..].iter().map(|l| csv_line(&serde_json::from_str::<Record>(l).unwrap())).collect();
    (format!("{CSV_HEADER}{rows}"), lines[0].clone())
}

fn check_csv(csv: &str, manifest: &str) -> Result<Verified, String> {
    verify_csv(csv.as_bytes(), manifest, &key().verifying_key())
}

#[test]
fn cells_are_quoted_and_never_formulas_and_read_back_exactly() {
    assert_eq!(csv_cell("plain"), "plain");
    assert_eq!(csv_cell("a,b"), "\"a,b\"");
    assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    assert_eq!(csv_cell("-5"), "'-5");
    assert_eq!(csv_cell("'quoted"), "''quoted");
    assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
    for v in ["plain", "-5", "'quoted", "''", "=1+1", "@sum", "a,\"b\"\nc"] {
        let cell = csv_cell(v);
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(cell.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(csv_value(&row[0]), v, "{v} survives a round trip");
    }
}

#[test]
fn a_csv_export_verifies_against_its_manifest_and_one_changed_byte_is_found() {
    let mut records = chain(6);
    records[2].summary = "-a summary a spreadsheet would take for a formula, with \"quotes\", commas\nand lines".into();
    records[3].summary = "'starts with an apostrophe".into();
    // Re-seal so the odd summaries are part of an intact chain.
    let mut sealed: Vec<Record> = Vec::new();
    for r in &records {
        let mut r = r.clone();
        r.prev_hash = sealed.last().map_or(GENESIS_HASH.to_owned(), |p| p.hash.clone());
        r.hash = record_hash(&r);
        sealed.push(r);
    }
    let lines = file(&sealed, ExportFilter::default(), &key());
    let (csv, manifest) = csv_file(&lines);
    assert_eq!(check_csv(&csv, &manifest), Ok(Verified { count: 6, chain_complete: true, checkpoint_seq: Some(6) }));
    let changed = csv.replacen("record number 4", "record number 5", 1);
    let err = check_csv(&changed, &manifest).unwrap_err();
    assert!(err.contains("record 5 (row 6)") && err.contains("edited"), "{err}");
    let cut: String = csv.lines().take(5).map(|l| format!("{l}\n")).collect();
    assert!(check_csv(&cut, &manifest).is_err(), "a cut-short CSV fails");
    assert!(check_csv("seq,when\n", &manifest).unwrap_err().contains("header"));
    assert!(check_csv(&csv, "{}").unwrap_err().contains("manifest"));
}
