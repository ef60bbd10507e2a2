//! The JSONL export of the evidence trail and its offline verification. The first line is the
//! manifest; every further line is one record. An auditor verifies a file with only Tenure's
//! public checkpoint key (`tenure audit verify FILE --public-key KEY`, or their own tool
//! following docs/evidence.md). Reading is line by line, so any size verifies in constant memory.

use crate::checkpoint::{self, Checkpoint};
use crate::evidence::{GENESIS_HASH, Record, record_hash};
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

/// The export format's version, in the manifest.
pub const FORMAT: &str = "tenure-evidence-export-v1";

/// Which records a search shows and an export holds (every field optional; all must match).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFilter {
    /// Words that must appear, in this order, in the summary or details (reasoning, comments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Only records about this agent (it acted, or it is the subject, or its action is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// Only records by this actor (user or agent name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Only records with this decision (`action.decided`) or resulting state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Only records of this kind (e.g. `action.approved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Only records at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only records before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

impl ExportFilter {
    /// Whether the export holds every record of its range (so the chain can be checked end to end).
    pub fn is_complete(&self) -> bool {
        *self == ExportFilter::default()
    }
}

/// The audit filter as typed into a form or a query string: raw text per field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FilterForm {
    pub text: String,
    /// An agent id.
    pub agent: String,
    pub capability: String,
    pub actor: String,
    pub kind: String,
    pub outcome: String,
    /// Days as `YYYY-MM-DD`; `until` is exclusive.
    pub since: String,
    pub until: String,
}

/// Longest full-text search, in characters.
pub const MAX_TEXT: usize = 200;

fn some(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|s| !s.is_empty())
}

fn day(field: &'static str, v: &str) -> Result<Option<DateTime<Utc>>, (&'static str, String)> {
    match v.trim() {
        "" => Ok(None),
        t => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Some(d.and_utc()))
            .ok_or_else(|| (field, format!("'{t}' is not a date like 2026-11-26"))),
    }
}

impl FilterForm {
    /// The filter; an error names the field.
    pub fn parse(&self) -> Result<ExportFilter, (&'static str, String)> {
        let agent_id = match some(&self.agent) {
            None => None,
            Some(a) => Some(a.parse::<i64>().map_err(|_| ("agent", format!("'{a}' is not an agent id")))?),
        };
        let f = ExportFilter {
            text: some(&self.text),
            agent_id,
            capability: some(&self.capability),
            actor: some(&self.actor),
            outcome: some(&self.outcome),
            kind: some(&self.kind),
            since: day("since", &self.since)?,
            until: day("until", &self.until)?,
        };
        f.check()?;
        Ok(f)
    }
}

impl ExportFilter {
    /// Checks the fields a query cannot take as they are; the error names the field.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.text.as_deref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
            return Err(("text", format!("search for at most {MAX_TEXT} characters")));
        }
        if let Some(k) = &self.kind
            && (k.len() > 64 || !k.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'))
        {
            return Err(("kind", format!("'{k}' is not a record kind")));
        }
        Ok(())
    }
}

/// The first line of an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub exported_at: DateTime<Utc>,
    pub exported_by: String,
    pub filter: ExportFilter,
    /// Records that follow.
    pub count: u64,
    /// First and last record: (seq, hash); none when the export is empty.
    pub first: Option<(i64, String)>,
    pub last: Option<(i64, String)>,
    /// The chain head when the export was taken, signed (the record `seq` has `head_hash`).
    pub checkpoint: Option<Checkpoint>,
}

/// What verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub count: u64,
    /// The whole chain from the first record to the signed checkpoint was checked.
    pub chain_complete: bool,
    pub checkpoint_seq: Option<i64>,
}

/// The file formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// The manifest line, then one JSON record per line: verifiable on its own.
    Jsonl,
    /// A header row, then one row per record with every field; its manifest is a separate file.
    Csv,
}

impl ExportFormat {
    /// The format named in a form; the error names the field.
    pub fn parse(v: &str) -> Result<ExportFormat, (&'static str, String)> {
        match v.trim() {
            "jsonl" => Ok(ExportFormat::Jsonl),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(("format", format!("'{other}' is not an export format (jsonl or csv)"))),
        }
    }

    /// The stored name, also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }

    /// The file extension.
    pub fn ext(self) -> &'static str {
        self.as_str()
    }

    /// The download's content type.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "application/x-ndjson",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    /// One record as a line of this format, with its line end.
    pub fn line(self, r: &Record) -> String {
        match self {
            ExportFormat::Jsonl => record_line(r) + "\n",
            ExportFormat::Csv => csv_line(r),
        }
    }
}

/// The download name of an export: when it was taken, and the format's extension.
pub fn file_name(m: &Manifest, format: ExportFormat) -> String {
    format!("tenure-evidence-{}.{}", m.exported_at.format("%Y%m%dT%H%M%SZ"), format.ext())
}

/// One record as an export line.
pub fn record_line(r: &Record) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

/// The manifest as the first line.
pub fn manifest_line(m: &Manifest) -> String {
    serde_json::to_string(&serde_json::json!({ "manifest": m })).unwrap_or_default()
}

mod csv_file;
#[cfg(test)]
use csv_file::csv_value;
pub use csv_file::{CSV_HEADER, csv_cell, csv_line, verify_csv};

#[derive(Deserialize)]
struct ManifestLine {
    manifest: Manifest,
}

/// A manifest line (a JSONL export's first line, or a CSV export's manifest file) read back.
pub fn parse_manifest_line(text: &str) -> Result<Manifest, String> {
    let m = serde_json::from_str::<ManifestLine>(text.trim()).map_err(|e| format!("not a manifest: {e}"))?.manifest;
    if m.format != FORMAT {
        return Err(format!("unknown format {}", m.format));
    }
    Ok(m)
}

/// Verifies an export, line by line. `Err` names the first problem and where it is.
pub fn verify_lines<I, E>(mut lines: I, public: &VerifyingKey) -> Result<Verified, String>
where
    I: Iterator<Item = Result<String, E>>,
    E: std::fmt::Display,
{
    let first = lines.next().ok_or("the file is empty: no manifest")?.map_err(|e| format!("line 1: {e}"))?;
    let m = parse_manifest_line(&first).map_err(|e| format!("line 1: {e}"))?;
    let records = lines.enumerate().filter_map(|(i, line)| {
        let n = i + 2;
        match line {
            Err(e) => Some(Err(format!("line {n}: {e}"))),
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => Some(
                serde_json::from_str::<Record>(&l)
                    .map(|r| (format!("line {n}"), r))
                    .map_err(|e| format!("line {n}: not a record: {e}")),
            ),
        }
    });
    verify_records(&m, records, public)
}

/// Checks records, in file order, against their manifest: each hash, the links between
/// neighbours, nothing after the signed checkpoint, and (for an unfiltered export) nothing
/// missing at the start, in between or at the end. Each record comes with where it is in the file.
fn verify_records<I>(m: &Manifest, records: I, public: &VerifyingKey) -> Result<Verified, String>
where
    I: Iterator<Item = Result<(String, Record), String>>,
{
    let complete = m.filter.is_complete();
    let mut count = 0u64;
    let mut prev: Option<Record> = None;
    for item in records {
        let (n, r) = item?;
        if record_hash(&r) != r.hash {
            return Err(format!("record {} ({n}): its hash does not match its contents: edited", r.seq));
        }
        if let Some(c) = m.checkpoint.as_ref().filter(|c| r.seq > c.seq) {
            return Err(format!("record {} ({n}) comes after the signed checkpoint at record {}", r.seq, c.seq));
        }
        match &prev {
            None if complete && r.seq != 1 => {
                return Err(format!("the file starts at record {}: records 1 to {} are missing", r.seq, r.seq - 1));
            }
            None if complete && r.prev_hash != GENESIS_HASH => {
                return Err(format!("record 1 ({n}) does not start from the genesis hash"));
            }
            Some(p) if r.seq <= p.seq => {
                return Err(format!("record {} ({n}) comes after record {}: out of order", r.seq, p.seq));
            }
            Some(p) if complete && r.seq != p.seq + 1 => {
                return Err(format!(
                    "record {} ({n}) follows record {}: records {} to {} are missing or out of order",
                    r.seq,
                    p.seq,
                    p.seq + 1,
                    r.seq - 1
                ));
            }
            Some(p) if r.seq == p.seq + 1 && r.prev_hash != p.hash => {
                return Err(format!("record {} ({n}) does not link to record {}: inserted or replaced", r.seq, p.seq));
            }
            _ => {}
        }
        count += 1;
        prev = Some(r);
    }
    let last = prev.as_ref().map(|r| (r.seq, r.hash.clone()));
    if let Some(c) = &m.checkpoint {
        checkpoint::verify(public, c)?;
        match &last {
            Some((seq, hash)) if *seq == c.seq && *hash != c.head_hash => {
                return Err(format!("record {seq} is not the record the signed checkpoint covers"));
            }
            Some((seq, _)) if complete && *seq < c.seq => {
                return Err(format!(
                    "the file ends at record {seq} but the signed checkpoint covers record {}: records are missing at the end",
                    c.seq
                ));
            }
            None if complete => {
                return Err(format!("the file holds no records but the signed checkpoint covers record {}", c.seq));
            }
            _ => {}
        }
    } else if complete && count > 0 {
        return Err("the manifest carries no signed checkpoint: the file's end cannot be vouched for".into());
    }
    if m.count != count {
        return Err(format!("the manifest announces {} records but the file holds {count}", m.count));
    }
    if m.last != last {
        return Err("the manifest's last record is not the file's last record".into());
    }
    Ok(Verified { count, chain_complete: complete, checkpoint_seq: m.checkpoint.as_ref().map(|c| c.seq) })
}

#[cfg(test)]
mod tests;

pub use vocab::ExportStatus;
