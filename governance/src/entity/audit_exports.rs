//! An audit export prepared in the background.

use sea_orm::entity::prelude::*;

/// One row of `audit_exports`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_exports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub requested_by: String,
    pub format: String,
    pub manifest: String,
    pub last_seq: i64,
    pub total: i64,
    pub written: i64,
    pub bytes: i64,
    pub sha256: Option<String>,
    pub status: crate::export::ExportStatus,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
