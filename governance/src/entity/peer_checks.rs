//! A second agent's independent analysis of an action.

use sea_orm::entity::prelude::*;

/// One row of `peer_checks`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "peer_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub action_id: i64,
    pub primary_agent_id: i64,
    pub capability: String,
    pub task_ref: String,
    pub inputs: String,
    /// JSON array of the agent ids that may take it.
    pub pool: String,
    /// JSON array of tolerances.
    pub tolerances: String,
    /// What the tier decided before the peer check: `allowed` or `needs_approval`.
    pub path: String,
    pub approval_expiry_minutes: i64,
    /// `open`, `taken`, `agreed`, `disagreed` or `timed_out`.
    pub status: crate::peer::CheckStatus,
    pub peer_agent_id: Option<i64>,
    pub taken_at: Option<DateTimeUtc>,
    pub deadline: DateTimeUtc,
    pub verdict_decision: Option<String>,
    pub verdict_params: Option<String>,
    pub verdict_reasoning: Option<String>,
    pub verdict_confidence: Option<f64>,
    pub answered_at: Option<DateTimeUtc>,
    /// JSON of the comparison.
    pub comparison: Option<String>,
    /// `primary`, `peer` or `neither`.
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
