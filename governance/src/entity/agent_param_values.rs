//! A param value an agent has used for a capability (for "never seen before" escalations).

use sea_orm::entity::prelude::*;

/// One row of `agent_param_values`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_param_values")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub capability: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub param: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
