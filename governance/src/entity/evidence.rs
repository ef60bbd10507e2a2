//! One evidence record of the hash-chained trail. Rows are only ever inserted.

use sea_orm::entity::prelude::*;

/// One row of `evidence`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub recorded_at: DateTimeUtc,
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
    /// Index columns for search, derived when the record is appended; not part of the record
    /// and not covered by its hash.
    pub agent_id: Option<i64>,
    pub capability: Option<String>,
    pub outcome: Option<String>,
}

/// No links.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
