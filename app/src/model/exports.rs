//! Audit exports as the pages show them.

use serde::{Deserialize, Serialize};

/// One export: what it holds and how far its file has got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    pub id: i64,
    /// `JSONL` or `CSV`.
    pub format: String,
    pub status: vocab::ExportStatus,
    pub requested_by: String,
    pub created_at: String,
    /// The filter in words ("every record" when unfiltered).
    pub filter: String,
    pub total: i64,
    pub written: i64,
    pub percent: i64,
    /// The file's size, readable ("12.4 MB").
    pub size: String,
    pub sha256: Option<String>,
    pub error: Option<String>,
    /// First and last record in the file.
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// The signed checkpoint the export ends at: its record and key.
    pub checkpoint: Option<(i64, String)>,
    pub file_name: String,
}
