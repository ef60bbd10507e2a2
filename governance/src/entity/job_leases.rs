//! Which instance runs a background job until when, and how far it got.

use sea_orm::entity::prelude::*;

/// One row of `job_leases`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_leases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job: String,
    /// The instance holding the lease.
    pub holder: String,
    /// Until when; after it, another instance may take over.
    pub expires_at: DateTimeUtc,
    /// How far the job got (for the monitor: the evidence sequence it last judged up to).
    pub watermark: i64,
    pub last_run_at: Option<DateTimeUtc>,
    /// Runs that did work.
    pub runs: i64,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
