//! Audit exports being prepared: created when an export starts, moved along as its file is
//! written, finished or failed. The manifest is fixed at the start and never changes.

use crate::entity::audit_exports;
use crate::error::GovError;
use crate::export::ExportStatus;
use crate::store::Store;
use crate::store::notifications::NewEvent;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// An export as stored.
pub type ExportRecord = audit_exports::Model;

/// What a new export starts with.
pub struct NewExport<'a> {
    pub requested_by: &'a str,
    pub format: &'a str,
    pub manifest: &'a str,
    pub last_seq: i64,
    pub total: i64,
}

/// The change that fails an export, with the reason for the person who asked.
fn failed(reason: &str, now: DateTime<Utc>) -> audit_exports::ActiveModel {
    audit_exports::ActiveModel {
        status: Set(ExportStatus::Failed),
        error: Set(Some(reason.to_owned())),
        updated_at: Set(now),
        ..Default::default()
    }
}

impl Store {
    /// Records a new export, `preparing`; returns its id.
    pub async fn insert_export(&self, e: NewExport<'_>, now: DateTime<Utc>) -> Result<i64, GovError> {
        let row = audit_exports::ActiveModel {
            requested_by: Set(e.requested_by.to_owned()),
            format: Set(e.format.to_owned()),
            manifest: Set(e.manifest.to_owned()),
            last_seq: Set(e.last_seq),
            total: Set(e.total),
            written: Set(0),
            bytes: Set(0),
            sha256: Set(None),
            status: Set(ExportStatus::Preparing),
            error: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        Ok(row.insert(self.db()).await?.id)
    }

    /// One export.
    pub async fn export_by_id(&self, id: i64) -> Result<Option<ExportRecord>, GovError> {
        Ok(audit_exports::Entity::find_by_id(id).one(self.db()).await?)
    }

    /// The newest exports.
    pub async fn recent_exports(&self, limit: u64) -> Result<Vec<ExportRecord>, GovError> {
        Ok(audit_exports::Entity::find().order_by_desc(audit_exports::Column::Id).limit(limit).all(self.db()).await?)
    }

    /// How far a preparing export has got.
    pub async fn export_progress(&self, id: i64, written: i64, bytes: i64, now: DateTime<Utc>) -> Result<(), GovError> {
        move_export(self.db(), id, (written, bytes), None, ExportStatus::Preparing, now).await.map(|_| ())
    }

    /// A preparing export is complete: its size and the file's SHA-256.
    pub async fn export_ready(
        &self,
        id: i64,
        written: i64,
        bytes: i64,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<(), GovError> {
        let txn = self.begin_write().await?;
        if move_export(&txn, id, (written, bytes), Some(sha256.to_owned()), ExportStatus::Ready, now).await? {
            // Whoever asked for it hears that it is ready, from the same transaction.
            let requested_by = audit_exports::Entity::find_by_id(id).one(&txn).await?.map(|e| e.requested_by);
            let event = NewEvent::export_finished(id, written, bytes, requested_by);
            crate::store::notifications::enqueue(&txn, vec![event], now).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// A preparing export failed; the reason is for the person who asked.
    pub async fn export_failed(&self, id: i64, reason: &str, now: DateTime<Utc>) -> Result<(), GovError> {
        audit_exports::Entity::update_many()
            .set(failed(reason, now))
            .filter(audit_exports::Column::Id.eq(id))
            .filter(audit_exports::Column::Status.eq(ExportStatus::Preparing))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Fails exports still `preparing` that have not moved since `before` (the instance
    /// preparing them stopped); returns how many.
    pub async fn fail_stalled_exports(&self, before: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64, GovError> {
        let res = audit_exports::Entity::update_many()
            .set(failed("the server preparing this export stopped; start it again", now))
            .filter(audit_exports::Column::Status.eq(ExportStatus::Preparing))
            .filter(audit_exports::Column::UpdatedAt.lt(before))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected)
    }
}

/// Moves a preparing export along (records and bytes written, the file's hash once done);
/// false when it was not preparing any more.
async fn move_export(
    db: &impl ConnectionTrait,
    id: i64,
    (written, bytes): (i64, i64),
    sha256: Option<String>,
    status: ExportStatus,
    now: DateTime<Utc>,
) -> Result<bool, GovError> {
    let res = audit_exports::Entity::update_many()
        .set(audit_exports::ActiveModel {
            written: Set(written),
            bytes: Set(bytes),
            sha256: Set(sha256),
            status: Set(status),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(audit_exports::Column::Id.eq(id))
        .filter(audit_exports::Column::Status.eq(ExportStatus::Preparing))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
