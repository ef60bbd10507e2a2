//! A signed checkpoint of the evidence chain.

use sea_orm::entity::prelude::*;

/// One row of `checkpoints`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub head_hash: String,
    pub signed_at: DateTimeUtc,
    pub key_id: String,
    pub signature: String,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
