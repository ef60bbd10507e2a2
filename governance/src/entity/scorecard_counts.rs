//! How many of an agent's actions for a capability, proposed on one day, are in one group
//! (decision, state, shadow agreement, confidence band, approved by a person).

use sea_orm::entity::prelude::*;

/// One row of `scorecard_counts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scorecard_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub capability: String,
    /// `YYYY-MM-DD`, UTC.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub decision: crate::policy::Decision,
    #[sea_orm(primary_key, auto_increment = false)]
    pub state: crate::lifecycle::State,
    /// The shadow agreement, empty when there is none.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agreement: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub band: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub human_approved: i32,
    pub n: i64,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
