//! Exports prepared in the background. Starting one records who exported what, signs the head
//! it ends at and fixes its manifest; a task then writes the file page by page into the data
//! directory, reporting progress, so a long export shows how far it has got and downloads at
//! full speed (with its size) when ready. The file is only a copy: the same bytes can always be
//! streamed again from the database, because the records up to the signed head never change.

use crate::error::GovError;
use crate::export::{ExportFilter, ExportFormat, Manifest};
use crate::principal::AsAuditor;
use crate::service::audit::{Audit, ExportPlan};
use crate::store::exports::{ExportRecord, NewExport};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// Records read per page while writing a file.
pub const PAGE: u64 = 1000;

/// One page of an export, formatted.
#[derive(Clone, Debug)]
pub struct ExportChunk {
    /// The page's lines, each with its line end.
    pub text: String,
    /// How many records the page holds.
    pub records: usize,
    /// The last record's sequence number: where the next page starts.
    pub last_seq: i64,
}

pub use crate::export::ExportStatus;

/// An export and how far it has got.
#[derive(Clone, Debug)]
pub struct ExportJob {
    pub id: i64,
    pub requested_by: String,
    pub format: ExportFormat,
    pub status: ExportStatus,
    pub manifest: Manifest,
    /// The manifest exactly as the file's first line (JSONL) or the manifest download holds it.
    pub manifest_text: String,
    pub last_seq: i64,
    pub total: i64,
    pub written: i64,
    pub bytes: i64,
    pub sha256: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ExportJob {
    fn from_record(r: ExportRecord) -> Result<ExportJob, GovError> {
        let manifest = crate::export::parse_manifest_line(&r.manifest)
            .map_err(|e| GovError::Internal(format!("export {} has an unreadable manifest: {e}", r.id)))?;
        Ok(ExportJob {
            id: r.id,
            requested_by: r.requested_by,
            format: ExportFormat::parse(&r.format).map_err(|(_, m)| GovError::Internal(m))?,
            status: r.status,
            manifest,
            manifest_text: r.manifest,
            last_seq: r.last_seq,
            total: r.total,
            written: r.written,
            bytes: r.bytes,
            sha256: r.sha256,
            error: r.error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }

    /// What streaming this export again reads.
    pub fn plan(&self) -> ExportPlan {
        ExportPlan { manifest: self.manifest.clone(), last_seq: self.last_seq }
    }

    /// The download's file name.
    pub fn file_name(&self) -> String {
        crate::export::file_name(&self.manifest, self.format)
    }

    /// Percent written, 0–100.
    pub fn percent(&self) -> i64 {
        if self.total <= 0 {
            if self.status == ExportStatus::Ready { 100 } else { 0 }
        } else {
            self.written * 100 / self.total
        }
    }
}

impl Audit {
    /// Starts an export of `filter` as `format` and prepares its file in the background;
    /// returns the export's id.
    pub async fn prepare_export(
        &self,
        who: &AsAuditor,
        filter: ExportFilter,
        format: ExportFormat,
    ) -> Result<i64, GovError> {
        let plan = self.start_export(who, filter, format).await?;
        let manifest = crate::export::manifest_line(&plan.manifest);
        let new = NewExport {
            requested_by: &who.actor().name,
            format: format.as_str(),
            manifest: &manifest,
            last_seq: plan.last_seq,
            total: plan.manifest.count as i64,
        };
        let id = self.store.insert_export(new, crate::clock::now()).await?;
        let audit = self.clone();
        tokio::spawn(async move {
            if let Err(e) = audit.write_file(id, &plan, &manifest, format).await {
                tracing::error!(export = id, error = %e, "an export could not be prepared");
                let _ = audit
                    .store
                    .export_failed(id, "the file could not be written; start the export again", crate::clock::now())
                    .await;
            }
        });
        Ok(id)
    }

    /// One export.
    pub async fn export_job(&self, _who: &AsAuditor, id: i64) -> Result<ExportJob, GovError> {
        let r = self.store.export_by_id(id).await?.ok_or_else(|| GovError::NotFound(format!("export {id}")))?;
        ExportJob::from_record(r)
    }

    /// The newest exports.
    pub async fn recent_exports(&self, _who: &AsAuditor, limit: u64) -> Result<Vec<ExportJob>, GovError> {
        self.store.recent_exports(limit).await?.into_iter().map(ExportJob::from_record).collect()
    }

    /// The folder prepared files are kept in.
    pub fn exports_dir(&self) -> &std::path::Path {
        &self.exports_dir
    }

    /// Where a ready export's file is kept on this server (it may have been tidied away, or
    /// be on another instance: opening it tells).
    pub fn export_file(&self, job: &ExportJob) -> Option<PathBuf> {
        (job.status == ExportStatus::Ready).then(|| self.exports_dir.join(file_of(job.id, job.format)))
    }

    /// The next page of an export after record `after`, as lines of `format`; none at its end.
    /// Preparing a file and streaming a download both read an export this way.
    pub async fn export_chunk(
        &self,
        plan: &ExportPlan,
        format: ExportFormat,
        after: i64,
    ) -> Result<Option<ExportChunk>, GovError> {
        let rows = self.export_page(plan, after, PAGE).await?;
        let Some(last) = rows.last() else { return Ok(None) };
        Ok(Some(ExportChunk {
            last_seq: last.seq,
            records: rows.len(),
            text: rows.iter().map(|r| format.line(r)).collect(),
        }))
    }

    /// The first bytes of an export's file: the manifest line (JSONL) or the header (CSV).
    pub fn first_line(format: ExportFormat, manifest_text: &str) -> String {
        match format {
            ExportFormat::Jsonl => format!("{manifest_text}\n"),
            ExportFormat::Csv => crate::export::CSV_HEADER.to_owned(),
        }
    }

    async fn write_file(
        &self,
        id: i64,
        plan: &ExportPlan,
        manifest: &str,
        format: ExportFormat,
    ) -> Result<(), GovError> {
        let io = |e: std::io::Error| GovError::Internal(format!("export file: {e}"));
        tokio::fs::create_dir_all(&self.exports_dir).await.map_err(io)?;
        let done = self.exports_dir.join(file_of(id, format));
        let part = done.with_extension(format!("{}.part", format.ext()));
        let result = async {
            let mut file = tokio::io::BufWriter::new(tokio::fs::File::create(&part).await.map_err(io)?);
            let mut sha = Sha256::new();
            let first = Self::first_line(format, manifest);
            sha.update(first.as_bytes());
            file.write_all(first.as_bytes()).await.map_err(io)?;
            let (mut written, mut bytes, mut after) = (0_i64, first.len() as i64, 0_i64);
            while let Some(chunk) = self.export_chunk(plan, format, after).await? {
                after = chunk.last_seq;
                sha.update(chunk.text.as_bytes());
                file.write_all(chunk.text.as_bytes()).await.map_err(io)?;
                written += chunk.records as i64;
                bytes += chunk.text.len() as i64;
                self.store.export_progress(id, written, bytes, crate::clock::now()).await?;
            }
            file.flush().await.map_err(io)?;
            file.into_inner().sync_all().await.map_err(io)?;
            tokio::fs::rename(&part, &done).await.map_err(io)?;
            self.store.export_ready(id, written, bytes, &hex::encode(sha.finalize()), crate::clock::now()).await
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&part).await;
        }
        result
    }

    /// Fails exports whose preparation stopped moving, and deletes files kept longer than
    /// `keep_hours` (a download then streams the export again from the database).
    pub async fn tidy_exports(&self, keep_hours: i64) -> Result<(u64, u64), GovError> {
        let now = crate::clock::now();
        let stalled = self.store.fail_stalled_exports(now - chrono::Duration::minutes(2), now).await?;
        let mut removed = 0;
        let Ok(mut dir) = tokio::fs::read_dir(&self.exports_dir).await else { return Ok((stalled, 0)) };
        let cutoff = std::time::SystemTime::now() - std::time::Duration::from_secs(keep_hours.max(0) as u64 * 3600);
        while let Ok(Some(entry)) = dir.next_entry().await {
            let old = entry.metadata().await.ok().and_then(|m| m.modified().ok()).is_some_and(|t| t < cutoff);
            if old && tokio::fs::remove_file(entry.path()).await.is_ok() {
                removed += 1;
            }
        }
        Ok((stalled, removed))
    }
}

fn file_of(id: i64, format: ExportFormat) -> String {
    format!("export-{id}.{}", format.ext())
}
