//! Something that needs a human: a failed rollback, a detector that fired about an agent's
//! grant, or one that fired about a reviewer.

use sea_orm::entity::prelude::*;

/// One row of `alerts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The agent it is about (none for an alert about a reviewer).
    pub agent_id: Option<i64>,
    pub action_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
    /// The grant a detector raised it about (none for a failed rollback).
    pub grant_id: Option<i64>,
    pub capability: Option<String>,
    /// The detector that raised it (none for a failed rollback).
    pub detector: Option<String>,
    /// JSON: the finding, the window, the daily series and the actions of the pass that raised
    /// it — frozen then, never rewritten.
    pub details: Option<String>,
    /// When the job last saw the condition and its figures changed.
    pub updated_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<String>,
    /// What the detector did on its own besides alerting (`demote_grant`, ...).
    pub response: Option<String>,
    /// JSON: what undoing the response restores.
    pub undo: Option<String>,
    pub undone_at: Option<DateTimeUtc>,
    pub undone_by: Option<String>,
    /// The reviewer it is about (a detector watching people).
    pub reviewer: Option<String>,
    /// JSON: the figures of the latest pass that still saw the condition ("since then"; none
    /// until one saw figures other than the firing ones). Migration 25.
    pub latest_details: Option<String>,
    /// The note it was acknowledged with (empty: none). Migration 25.
    pub acknowledgement: Option<String>,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
