//! Something about an agent that needs a human (a failed rollback, for one).

use sea_orm::entity::prelude::*;

/// One row of `alerts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agent_id: i64,
    pub action_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
