//! The distinct parameter sets an agent proposed for a capability on one UTC day, as a sketch
//! (the format is [`migrations::distinct_sketch`]).

use sea_orm::entity::prelude::*;

/// One row of `scorecard_sketches`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scorecard_sketches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub capability: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    pub registers: Vec<u8>,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
