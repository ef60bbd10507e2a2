//! A parameter set (action hash) an agent proposed for a capability, and the UTC day it was
//! first seen: what the new-parameters detector counts.

use sea_orm::entity::prelude::*;

/// One row of `parameter_history`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "parameter_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub capability: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub action_hash: String,
    /// `YYYY-MM-DD`.
    pub first_seen: String,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
