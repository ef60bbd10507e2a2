//! A detector's settings, when a manager changed them from the defaults.

use sea_orm::entity::prelude::*;

/// One row of `detector_settings`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "detector_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub detector: String,
    pub enabled: bool,
    pub sensitivity: String,
    /// What it does when it fires: alert, demote_grant, suspend_grant or suspend_agent.
    pub response: String,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

/// No links used by the store.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
