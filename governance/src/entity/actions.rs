//! An action an agent asked to take, and where it is in its lifecycle.

use sea_orm::entity::prelude::*;

/// One row of `actions`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agent_id: i64,
    pub capability: String,
    pub params: String,
    pub reasoning: String,
    pub confidence: f64,
    pub inputs: String,
    pub alternatives: String,
    pub task_ref: String,
    pub idempotency_key: Option<String>,
    pub request_hash: String,
    pub action_hash: String,
    pub decision: crate::policy::Decision,
    pub state: crate::lifecycle::State,
    pub rule: String,
    pub tier: Option<crate::policy::Tier>,
    pub grant_id: Option<i64>,
    pub sandbox: bool,
    pub supervised: bool,
    pub expires_at: Option<DateTimeUtc>,
    pub evidence_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The action hash a reviewer approved; execution must match it.
    pub approved_hash: Option<String>,
    /// The agent's owner may not approve it (template rule on a high-risk capability).
    pub separation_of_duties: bool,
    pub result_status: Option<String>,
    pub output: Option<String>,
    pub undo: Option<String>,
    pub reported_at: Option<DateTimeUtc>,
    pub reversible_until: Option<DateTimeUtc>,
    pub rollback_reason: Option<String>,
    pub rollback_requested_by: Option<String>,
    pub rollback_requested_at: Option<DateTimeUtc>,
    pub rollback_output: Option<String>,
    pub shadow_verdict: Option<String>,
    pub shadow_params: Option<String>,
    pub shadow_agreement: Option<String>,
    /// A peer disagreed (or did not answer): a reviewer must choose side by side.
    pub peer_review: bool,
    /// What the agent proposed, when a reviewer approved a changed version (`params` holds it).
    pub proposed_params: Option<String>,
    /// The reviewer's change from `proposed_params` to `params`, as an RFC 6902 patch.
    pub params_edit: Option<String>,
    /// The person the item is assigned to (a user id), if any.
    pub assigned_user_id: Option<i64>,
    /// The reviewer group it is assigned or routed to, if any.
    pub assigned_group_id: Option<i64>,
    /// Who claimed it (a user id) and when they last touched the claim; it lapses when idle.
    pub claimed_by: Option<i64>,
    pub claimed_at: Option<DateTimeUtc>,
    /// Approvals from distinct people it needs (its rule's quorum when decided; usually 1).
    pub approvals_required: i32,
    /// A copilot's escalation stays with its person (or group) until then; after, it is in the
    /// shared inbox.
    pub assigned_until: Option<DateTimeUtc>,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
