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
    pub decision: String,
    pub state: String,
    pub rule: String,
    pub tier: Option<String>,
    pub grant_id: Option<i64>,
    pub sandbox: bool,
    pub supervised: bool,
    pub expires_at: Option<DateTimeUtc>,
    pub evidence_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
