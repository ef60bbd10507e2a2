//! Storing the approvals of actions that need several people: each one bound to the action
//! hash it approved, written in the transaction that counts it.

use crate::entity::{action_approvals as approvals, reviewer_groups as groups};
use crate::error::GovError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// One approval given.
pub type ApprovalRecord = approvals::Model;

/// The approvals of action `id` that approved `hash` (others approved params it no longer has).
pub async fn given(db: &impl ConnectionTrait, id: i64, hash: &str) -> Result<Vec<ApprovalRecord>, GovError> {
    Ok(approvals::Entity::find()
        .filter(approvals::Column::ActionId.eq(id))
        .filter(approvals::Column::ActionHash.eq(hash))
        .order_by_asc(approvals::Column::ApprovedAt)
        .all(db)
        .await?)
}

/// Records one approval.
pub async fn add(
    db: &impl ConnectionTrait,
    id: i64,
    user: (i64, &str),
    group: Option<String>,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), GovError> {
    let row = approvals::ActiveModel {
        action_id: Set(id),
        user_id: Set(user.0),
        username: Set(user.1.to_owned()),
        group_name: Set(group),
        action_hash: Set(hash.to_owned()),
        approved_at: Set(now),
    };
    approvals::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

impl Store {
    /// The approvals given so far for each of `ids` (any hash; the caller compares).
    pub async fn approvals_of(&self, ids: &[i64]) -> Result<Vec<ApprovalRecord>, GovError> {
        Ok(approvals::Entity::find()
            .filter(approvals::Column::ActionId.is_in(ids.iter().copied()))
            .order_by_asc(approvals::Column::ApprovedAt)
            .all(self.db())
            .await?)
    }

    /// The names of the reviewer groups `user` is in, by name.
    pub async fn group_names_of(&self, user: i64) -> Result<Vec<String>, GovError> {
        let ids: Vec<i64> = self.groups_of(user).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = groups::Entity::find()
            .filter(groups::Column::Id.is_in(ids))
            .order_by_asc(groups::Column::Name)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|g| g.name).collect())
    }
}
