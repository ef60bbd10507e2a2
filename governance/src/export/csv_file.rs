//! The CSV form of an export: a header, then one row per record with every field, guarded
//! against spreadsheet formulas in a way a verifier can undo exactly. Its manifest travels as
//! a separate file.

use super::{Verified, parse_manifest_line, verify_records};
use crate::evidence::Record;
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;

/// The CSV columns: every field of a record, in the canonical order.
pub const CSV_HEADER: &str =
    "seq,recorded_at,actor_kind,actor_id,actor_name,kind,subject_kind,subject_id,summary,details,prev_hash,hash\n";

/// Characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV cell: quoted when needed (RFC 4180); text a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first), or that starts with `'`, gets a `'` in front, so agent-written
/// text never executes and a verifier removes exactly one leading `'` to get the value back.
pub fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(FORMULA_START) || v.starts_with('\'') { format!("'{v}") } else { v.to_owned() };
    if v.contains([',', '"', '\n', '\r']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v }
}

/// A CSV cell's value as it was before [`csv_cell`] guarded it.
pub(crate) fn csv_value(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// One record as a CSV line.
pub fn csv_line(r: &Record) -> String {
    let fields = [
        r.seq.to_string(),
        crate::evidence::format_time(&r.recorded_at),
        r.actor_kind.clone(),
        r.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        r.actor_name.clone(),
        r.kind.clone(),
        r.subject_kind.clone(),
        r.subject_id.clone(),
        r.summary.clone(),
        r.details.clone(),
        r.prev_hash.clone(),
        r.hash.clone(),
    ];
    let mut line = fields.iter().map(|f| csv_cell(f)).collect::<Vec<_>>().join(",");
    line.push('\n');
    line
}

/// One CSV row read back as a record.
fn csv_record(row: &::csv::StringRecord) -> Result<Record, String> {
    if row.len() != 12 {
        return Err(format!("{} columns, not 12", row.len()));
    }
    let v = |i: usize| csv_value(&row[i]).to_owned();
    let seq = v(0).parse::<i64>().map_err(|_| format!("seq '{}' is not a number", v(0)))?;
    let recorded_at = DateTime::parse_from_rfc3339(&v(1))
        .map_err(|_| format!("recorded_at '{}' is not a time", v(1)))?
        .with_timezone(&Utc);
    let actor_id = match v(3).as_str() {
        "" => None,
        t => Some(t.parse::<i64>().map_err(|_| format!("actor_id '{t}' is not a number"))?),
    };
    Ok(Record {
        seq,
        recorded_at,
        actor_kind: v(2),
        actor_id,
        actor_name: v(4),
        kind: v(5),
        subject_kind: v(6),
        subject_id: v(7),
        summary: v(8),
        details: v(9),
        prev_hash: v(10),
        hash: v(11),
    })
}

/// Verifies a CSV export against its manifest file's text. `Err` names the first problem and
/// its row (row 1 is the header).
pub fn verify_csv<R: std::io::Read>(csv_file: R, manifest: &str, public: &VerifyingKey) -> Result<Verified, String> {
    let m = parse_manifest_line(manifest).map_err(|e| format!("the manifest file: {e}"))?;
    let mut reader = ::csv::ReaderBuilder::new().has_headers(true).from_reader(csv_file);
    let header = reader.headers().map_err(|e| format!("row 1: {e}"))?.clone();
    if header.iter().collect::<Vec<_>>().join(",") + "\n" != CSV_HEADER {
        return Err("row 1 is not Tenure's CSV header".into());
    }
    let records = reader.records().enumerate().map(|(i, row)| {
        let n = i + 2;
        row.map_err(|e| format!("row {n}: {e}"))
            .and_then(|r| csv_record(&r).map_err(|e| format!("row {n}: {e}")))
            .map(|r| (format!("row {n}"), r))
    });
    verify_records(&m, records, public)
}
