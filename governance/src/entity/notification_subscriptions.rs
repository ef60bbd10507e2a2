//! Where to send which events, how.

use sea_orm::entity::prelude::*;

/// One row of `notification_subscriptions`. Its `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
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

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("format", &self.format)
            .field("secret", &"***")
            .field("kinds", &self.kinds)
            .field("capabilities", &self.capabilities)
            .field("min_risk", &self.min_risk)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
