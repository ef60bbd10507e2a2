//! Where to send which events, how.

use sea_orm::entity::prelude::*;

/// One row of `notification_subscriptions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub url: String,
    /// `json` (signed) or `slack`.
    pub format: String,
    /// The HMAC key of signed deliveries.
    pub secret: String,
    /// JSON arrays: the event kinds and capabilities it wants (empty: all).
    pub kinds: String,
    pub capabilities: String,
    /// Only events about capabilities of at least this risk (none: all).
    pub min_risk: Option<String>,
    pub active: bool,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
