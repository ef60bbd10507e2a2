//! One agent's grant of one capability at one tier, from one template version.

use sea_orm::entity::prelude::*;

/// One row of `grants`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agent_id: i64,
    pub capability_id: i64,
    pub template_id: i64,
    pub template_version: i64,
    pub tier: crate::policy::Tier,
    pub granted_by: String,
    pub granted_at: DateTimeUtc,
    pub review_due_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// When the current tier began (null only before it was recorded; then `granted_at`).
    pub tier_since: Option<DateTimeUtc>,
    /// When a detector suspended it (refused until a manager undoes that).
    pub suspended_at: Option<DateTimeUtc>,
    /// The current tier was reached without meeting its criteria (an override). Migration 26.
    pub tier_override: bool,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
