//! A registered agent.

use sea_orm::entity::prelude::*;

/// One row of `agents`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub purpose: String,
    pub owner_id: i64,
    pub environment: String,
    pub model_note: String,
    pub status: crate::agent::AgentStatus,
    pub status_reason: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The person (or else the reviewer group) this agent is the copilot of.
    pub copilot_user_id: Option<i64>,
    pub copilot_group_id: Option<i64>,
    /// Minutes its escalations stay in their queue before the shared inbox.
    pub copilot_fallback_minutes: Option<i32>,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
