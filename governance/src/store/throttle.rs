//! Failed sign-ins, counted per key (`user:NAME`, `addr:IP`) over a sliding window.

use crate::entity::login_failures;
use crate::error::GovError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

/// Failures for one key since a moment: how many, and when the oldest of them happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailureWindow {
    pub count: u64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Records one failure for `key`.
pub async fn record(db: &impl ConnectionTrait, key: &str, at: DateTime<Utc>) -> Result<(), GovError> {
    login_failures::ActiveModel { throttle_key: Set(key.to_owned()), failed_at: Set(at), ..Default::default() }
        .insert(db)
        .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), GovError> {
    login_failures::Entity::delete_many().filter(login_failures::Column::ThrottleKey.eq(key)).exec(db).await?;
    Ok(())
}

impl Store {
    /// The failures of `key` at or after `since`.
    pub async fn failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<FailureWindow, GovError> {
        let q = login_failures::Entity::find()
            .filter(login_failures::Column::ThrottleKey.eq(key))
            .filter(login_failures::Column::FailedAt.gte(since));
        let count = q.clone().count(self.db()).await?;
        let oldest = q.order_by_asc(login_failures::Column::FailedAt).one(self.db()).await?.map(|f| f.failed_at);
        Ok(FailureWindow { count, oldest })
    }

    /// Deletes failures older than `before`; returns how many went.
    pub async fn prune_failures(&self, before: DateTime<Utc>) -> Result<u64, GovError> {
        let res = login_failures::Entity::delete_many()
            .filter(login_failures::Column::FailedAt.lt(before))
            .exec(self.db())
            .await?;
        Ok(res.rows_affected)
    }
}
