//! Something people should hear about, written with the change that caused it.

use sea_orm::entity::prelude::*;

/// One row of `outbox_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `approval.requested`, `alert.raised`, … (`governance::notify::EventKind`).
    pub kind: String,
    /// What it is about, e.g. `action:17`.
    pub subject: String,
    pub agent_id: Option<i64>,
    pub capability: Option<String>,
    /// JSON: the event's facts.
    pub payload: String,
    /// Set for events a recurring check raises, so each is raised once.
    pub dedupe_key: Option<String>,
    pub created_at: DateTimeUtc,
    /// When it was matched against the subscriptions.
    pub dispatched_at: Option<DateTimeUtc>,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
