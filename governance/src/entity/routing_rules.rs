//! A routing rule: a capability's escalations (those matching `condition`, or all when it is
//! empty) go to a reviewer group.

use sea_orm::entity::prelude::*;

/// One row of `routing_rules`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub capability: String,
    /// A Cedar expression over `context` (as a template's condition); empty for every item.
    pub condition: String,
    pub group_id: i64,
    pub created_at: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
