//! One person's approval of an action that needs several.

use sea_orm::entity::prelude::*;

/// One row of `action_approvals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub action_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub username: String,
    /// The reviewer group it counted for (a quorum of distinct groups).
    pub group_name: Option<String>,
    /// The action hash it approved: an approval of other params does not count.
    pub action_hash: String,
    pub approved_at: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
