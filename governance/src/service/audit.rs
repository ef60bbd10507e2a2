//! The audit use cases: signed checkpoints of the chain (on a schedule and at every export),
//! search, exports recorded as evidence (prepared in the background: `exports.rs`), and
//! verification of the live chain against its checkpoints.

use crate::checkpoint::{self, Checkpoint};
use crate::error::GovError;
use crate::evidence::{Broken, Draft, Record};
use crate::export::{ExportFilter, ExportFormat, FORMAT, Manifest};
use crate::principal::AsAuditor;
use crate::store::{Store, evidence};
use ed25519_dalek::SigningKey;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

/// The checkpoint signing key. Its secret half never appears in `Debug` or logs.
#[derive(Clone)]
pub struct Signer(Arc<SigningKey>);

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.key_id())
    }
}

impl Signer {
    /// A signer from the key's hex form (64 hex digits).
    pub fn from_hex(text: &str) -> Result<Signer, String> {
        checkpoint::key_from_hex(text).map(|k| Signer(Arc::new(k)))
    }

    /// The public key, as hex: what an auditor needs to verify checkpoints.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().as_bytes())
    }

    /// The key's short name.
    pub fn key_id(&self) -> String {
        checkpoint::key_id(&self.0.verifying_key())
    }

    fn sign(&self, seq: i64, head: &str) -> Checkpoint {
        checkpoint::sign(&self.0, seq, head, crate::clock::now())
    }
}

/// What a live verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveCheck {
    /// The chain and every checkpoint hold: records checked, checkpoints checked.
    Intact { records: u64, checkpoints: u64 },
    /// A record is broken.
    Broken(Broken),
    /// A checkpoint does not match the chain (a record it covers was changed or deleted) or
    /// its signature does not verify.
    Checkpoint(String),
}

/// An export about to be streamed: its manifest and the last record it may include.
#[derive(Clone, Debug)]
pub struct ExportPlan {
    pub manifest: Manifest,
    pub last_seq: i64,
}

/// Audit use cases.
#[derive(Clone, Debug)]
pub struct Audit {
    pub(crate) store: Store,
    signer: Signer,
    /// Where prepared export files are kept.
    pub(crate) exports_dir: PathBuf,
}

impl Audit {
    /// Audit over `store`, signing with `signer`, keeping prepared export files in `exports_dir`.
    pub fn new(store: Store, signer: Signer, exports_dir: PathBuf) -> Audit {
        Audit { store, signer, exports_dir }
    }

    /// The public key, as hex.
    pub fn public_key_hex(&self) -> String {
        self.signer.public_hex()
    }

    /// The signing key's short name.
    pub fn key_id(&self) -> String {
        self.signer.key_id()
    }

    /// Signs the current head unless it is already signed; returns the head's checkpoint.
    pub async fn checkpoint_now(&self) -> Result<Option<Checkpoint>, GovError> {
        let (seq, Some(hash)) = self.store.evidence_head().await? else { return Ok(None) };
        if let Some(c) = self.store.checkpoint_at(seq).await? {
            return Ok(Some(c));
        }
        self.store.save_checkpoint(&self.signer.sign(seq, &hash)).await?;
        // Another instance may have signed the same head first; theirs is the one kept.
        self.store.checkpoint_at(seq).await
    }

    /// Signs the head when enough records or enough time have passed since the last checkpoint.
    pub async fn checkpoint_if_due(
        &self,
        every_records: i64,
        every_minutes: i64,
    ) -> Result<Option<Checkpoint>, GovError> {
        let (head, _) = self.store.evidence_head().await?;
        let last = self.store.latest_checkpoint().await?.map(|c| (c.seq, c.signed_at));
        if checkpoint::due(head, last, crate::clock::now(), every_records, every_minutes) {
            return self.checkpoint_now().await;
        }
        Ok(None)
    }

    /// The newest checkpoints.
    pub async fn checkpoints(&self, _who: &AsAuditor, limit: u64) -> Result<Vec<Checkpoint>, GovError> {
        self.store.checkpoints(limit).await
    }

    /// Verifies the stored chain and then every checkpoint against it.
    pub async fn verify_live(&self) -> Result<LiveCheck, GovError> {
        let records = match self.store.verify_evidence().await? {
            Ok(n) => n,
            Err(b) => return Ok(LiveCheck::Broken(b)),
        };
        let public = checkpoint::public_from_hex(&self.public_key_hex()).map_err(GovError::Internal)?;
        let all = self.store.all_checkpoints().await?;
        for c in &all {
            if c.key_id == self.key_id()
                && let Err(e) = checkpoint::verify(&public, c)
            {
                return Ok(LiveCheck::Checkpoint(e));
            }
            match self.store.evidence_hash_at(c.seq).await? {
                Some(h) if h == c.head_hash => {}
                Some(_) => {
                    return Ok(LiveCheck::Checkpoint(format!(
                        "record {} no longer has the hash its signed checkpoint vouches for",
                        c.seq
                    )));
                }
                None => {
                    return Ok(LiveCheck::Checkpoint(format!(
                        "record {} is gone, but a signed checkpoint vouches for it: the chain was cut",
                        c.seq
                    )));
                }
            }
        }
        Ok(LiveCheck::Intact { records, checkpoints: all.len() as u64 })
    }

    /// Starts an export: records who exported what (an evidence record), signs the head so the
    /// file's end can be vouched for, and returns the manifest for the records up to that head.
    pub async fn start_export(
        &self,
        who: &AsAuditor,
        filter: ExportFilter,
        format: ExportFormat,
    ) -> Result<ExportPlan, GovError> {
        filter.check().map_err(GovError::field)?;
        let txn = self.store.begin_write().await?;
        let draft = Draft {
            actor: who.actor().clone(),
            kind: "audit.exported",
            subject_kind: "evidence",
            subject_id: String::new(),
            summary: format!("{} exported the evidence trail as {}", who.actor().name, format.as_str().to_uppercase()),
            details: json!({"filter": filter, "format": format, "manifest_format": FORMAT}),
        };
        evidence::append(&txn, &draft).await?;
        txn.commit().await?;
        let head = self.checkpoint_now().await?.ok_or_else(|| GovError::Internal("the chain is empty".into()))?;
        let (count, first, last) = self.store.evidence_span(&filter, head.seq).await?;
        Ok(ExportPlan {
            manifest: Manifest {
                format: FORMAT.into(),
                exported_at: crate::clock::now(),
                exported_by: who.actor().name.clone(),
                filter,
                count,
                first,
                last,
                checkpoint: Some(head.clone()),
            },
            last_seq: head.seq,
        })
    }

    /// The kinds and the decisions or states the trail holds, for the search's choices.
    pub async fn choices(&self, _who: &AsAuditor) -> Result<(Vec<String>, Vec<String>), GovError> {
        use crate::store::evidence_facets::Facet;
        Ok((self.store.evidence_values(Facet::Kind).await?, self.store.evidence_values(Facet::Outcome).await?))
    }

    /// How many records `filter` matches (exact up to a cap; see `Matches`).
    pub async fn count(
        &self,
        _who: &AsAuditor,
        filter: &ExportFilter,
    ) -> Result<crate::store::evidence_facets::Matches, GovError> {
        filter.check().map_err(GovError::field)?;
        self.store.count_evidence(filter).await
    }

    /// One page of a search, newest first, continuing below `before`; also says whether
    /// older matches exist.
    pub async fn search(
        &self,
        _who: &AsAuditor,
        filter: &ExportFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<(Vec<Record>, bool), GovError> {
        filter.check().map_err(GovError::field)?;
        let mut rows = self.store.search_evidence(filter, before, limit + 1).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        Ok((rows, more))
    }

    /// One record, by its sequence number.
    pub async fn record(&self, _who: &AsAuditor, seq: i64) -> Result<Record, GovError> {
        self.store.evidence_record(seq).await?.ok_or_else(|| GovError::NotFound(format!("record {seq}")))
    }

    /// The next page of an export: records after `after` up to the plan's last, in order.
    pub async fn export_page(&self, plan: &ExportPlan, after: i64, limit: u64) -> Result<Vec<Record>, GovError> {
        self.store.evidence_page(&plan.manifest.filter, after, plan.last_seq, limit).await
    }
}
