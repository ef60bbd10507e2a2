//! A person who decided on an agent's actions for a capability, and when they last did.

use sea_orm::entity::prelude::*;

/// One row of `scorecard_reviewers`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scorecard_reviewers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub capability: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reviewer: String,
    pub last_seen: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
